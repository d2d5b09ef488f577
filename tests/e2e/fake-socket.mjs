// fake-socket.mjs – a WebSocket stand-in for the client tests without a browser (client.test.mjs,
// bank-client.test.mjs): it records what the client sends and lets the test play the server.

/** A WebSocket stand-in: records what the client sends, lets the test play the server. */
export class FakeSocket {
  static all = [];
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    FakeSocket.all.push(this);
  }
  send(text) {
    this.sent.push(JSON.parse(text));
  }
  close() {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code: 1000 });
  }
  // Test side.
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  recv(msg) {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
  drop() {
    this.readyState = 3;
    this.onclose?.({ code: 1006 });
  }
  ofType(t) {
    return this.sent.filter((m) => m.t === t);
  }
}

import { launchBrowser, startServer, wsClient } from './lib.mjs';
const server = await startServer();
const browser = await launchBrowser();
try {
  const org = await wsClient(server.wsUrl, server.organiserToken);
  const fl = server.links.find((l) => l.role === 'facilitator' && l.room === 'r1');
  await org.cmd('step.next', { room: 'r1' });
  await org.cmd('timer.start', { room: 'r1' });
  await org.cmd('race.start', { room: 'r2', minutes: 1 });
  await org.cmd('pitch.order.set', { teams: ['t4', 't5', 't1'] });
  await org.cmd('jury.add', { name: 'Carla', organisation: 'X', chair: true });
  await new Promise((r) => setTimeout(r, 500));
  const jl = org.events.find((e) => e.type === 'jury.link').data.token;
  await org.cmd('jury.open', {});
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const p = await ctx.newPage();
  await p.goto(`${server.url}/#/f/${fl.token}`);
  await p.waitForTimeout(1500);
  await p.screenshot({ path: '/tmp/staffshots/console.png', fullPage: true });
  const s = await (await browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage();
  await s.goto(`${server.url}/#/s/${server.links.find((l) => l.role === 'screen').token}`);
  await s.waitForTimeout(1500);
  await s.screenshot({ path: '/tmp/staffshots/screen.png' });
  const j = await ctx.newPage();
  await j.goto(`${server.url}/#/j/${jl}`);
  await j.waitForTimeout(1500);
  await j.screenshot({ path: '/tmp/staffshots/jury.png', fullPage: true });
  org.close();
} finally {
  await browser.close();
  await server.stop();
}

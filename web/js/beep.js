// beep.js – the optional time-up sound: a short two-tone chime made with Web Audio (no sound file
// to download). Browsers allow sound only after the person has interacted with the page; when
// they do not, nothing plays and nothing breaks – the visual signal is always there.

let audio = null;

/**
 * Plays the chime once. Safe to call when sound is not allowed (it then does nothing).
 * @returns {boolean} whether a sound was started
 */
export function chime() {
  try {
    const Ctx = globalThis.AudioContext ?? globalThis.webkitAudioContext;
    if (!Ctx) return false;
    audio ??= new Ctx();
    if (audio.state === 'suspended') audio.resume().catch(() => {});
    const now = audio.currentTime;
    for (const [i, freq] of [880, 660].entries()) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, now + i * 0.35);
      gain.gain.exponentialRampToValueAtTime(0.3, now + i * 0.35 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.35 + 0.3);
      osc.connect(gain).connect(audio.destination);
      osc.start(now + i * 0.35);
      osc.stop(now + i * 0.35 + 0.32);
    }
    return true;
  } catch {
    return false;
  }
}

// Photos as phones make them: a JPEG drawn by the browser, with an EXIF segment that carries
// GPS coordinates spliced in after the start-of-image marker. And the check that a JPEG
// served to the public carries no EXIF at all.

/** A little-endian TIFF with IFD0 → GPS IFD (latitude and longitude, N/E). */
function gpsTiff(lat, lon) {
  const buf = new ArrayBuffer(128);
  const v = new DataView(buf);
  const u8 = new Uint8Array(buf);
  u8.set([0x49, 0x49, 0x2a, 0x00], 0); // "II*\0"
  v.setUint32(4, 8, true); // IFD0 at 8
  // IFD0: one entry, GPSInfo (0x8825) LONG → 26
  v.setUint16(8, 1, true);
  v.setUint16(10, 0x8825, true); v.setUint16(12, 4, true); v.setUint32(14, 1, true); v.setUint32(18, 26, true);
  v.setUint32(22, 0, true);
  // GPS IFD at 26: four entries
  v.setUint16(26, 4, true);
  const entry = (i, tag, type, count, value) => {
    const at = 28 + i * 12;
    v.setUint16(at, tag, true); v.setUint16(at + 2, type, true); v.setUint32(at + 4, count, true);
    if (typeof value === "string") u8.set([...value].map((c) => c.charCodeAt(0)), at + 8);
    else v.setUint32(at + 8, value, true);
  };
  entry(0, 0x0001, 2, 2, "N\0");
  entry(1, 0x0002, 5, 3, 80);
  entry(2, 0x0003, 2, 2, "E\0");
  entry(3, 0x0004, 5, 3, 104);
  v.setUint32(76, 0, true);
  const rational = (at, deg) => {
    const d = Math.floor(deg), m = Math.floor((deg - d) * 60), s = Math.round(((deg - d) * 60 - m) * 60 * 100);
    [[d, 1], [m, 1], [s, 100]].forEach(([n, den], i) => { v.setUint32(at + i * 8, n, true); v.setUint32(at + i * 8 + 4, den, true); });
  };
  rational(80, lat);
  rational(104, lon);
  return u8;
}

/** `jpeg` with an APP1 Exif segment holding GPS `lat`, `lon` right after SOI. */
export function withGps(jpeg, lat, lon) {
  const tiff = gpsTiff(lat, lon);
  const header = new Uint8Array([0x45, 0x78, 0x69, 0x66, 0, 0]); // "Exif\0\0"
  const len = 2 + header.length + tiff.length;
  const app1 = new Uint8Array(4 + header.length + tiff.length);
  app1.set([0xff, 0xe1, len >> 8, len & 0xff], 0);
  app1.set(header, 4);
  app1.set(tiff, 4 + header.length);
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error("not a JPEG");
  const out = new Uint8Array(jpeg.length + app1.length);
  out.set(jpeg.subarray(0, 2), 0);
  out.set(app1, 2);
  out.set(jpeg.subarray(2), 2 + app1.length);
  return Buffer.from(out);
}

/** Whether a JPEG has an APP1 Exif segment anywhere before its image data. */
export function hasExif(bytes) {
  let i = 2;
  while (i + 4 <= bytes.length && bytes[i] === 0xff) {
    const marker = bytes[i + 1];
    if (marker === 0xda) return false; // start of scan: no more metadata
    const len = (bytes[i + 2] << 8) | bytes[i + 3];
    if (marker === 0xe1 && Buffer.from(bytes.subarray(i + 4, i + 10)).toString("latin1") === "Exif\0\0") return true;
    i += 2 + len;
  }
  return false;
}

/** A photo-like JPEG (gradient and noise, `w`×`h`) drawn by the browser's canvas. */
export async function drawPhoto(page, w, h, hue) {
  const dataUrl = await page.evaluate(([w, h, hue]) => {
    const c = document.createElement("canvas");
    c.width = w; c.height = h;
    const g = c.getContext("2d");
    const grad = g.createLinearGradient(0, 0, w, h);
    grad.addColorStop(0, `hsl(${hue},60%,55%)`); grad.addColorStop(1, `hsl(${(hue + 90) % 360},50%,35%)`);
    g.fillStyle = grad; g.fillRect(0, 0, w, h);
    for (let i = 0; i < 400; i++) {
      g.fillStyle = `hsla(${(hue + i) % 360},70%,${30 + (i % 40)}%,0.4)`;
      g.beginPath(); g.arc((i * 97) % w, (i * 53) % h, 10 + (i % 30), 0, 7); g.fill();
    }
    return c.toDataURL("image/jpeg", 0.9);
  }, [w, h, hue]);
  return Buffer.from(dataUrl.split(",")[1], "base64");
}

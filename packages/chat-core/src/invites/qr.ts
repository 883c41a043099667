/** Renders what a QR code encodes as an image clients can show as is. */
import QRCode from 'qrcode';

export type QrImageFormat = 'png' | 'svg';

/** A PNG data URL (`data:image/png;base64,…`) or SVG text. */
export function renderQr(text: string, format: QrImageFormat): Promise<string> {
  return format === 'svg' ? QRCode.toString(text, { type: 'svg' }) : QRCode.toDataURL(text);
}

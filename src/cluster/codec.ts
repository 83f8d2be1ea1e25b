/**
 * How a store record is kept in Redis: its JSON text, behind a one-byte tag
 * that says how it is encoded. `j` + UTF-8 JSON for values up to the
 * compression threshold, `b` + Brotli-compressed UTF-8 JSON above it.
 *
 * Brotli at quality 5: the best size for the time among the settings
 * measured (docs/scale-out.md). Compression runs on libuv's thread pool,
 * not the event loop.
 *
 * @module
 */
import { promisify } from 'node:util';
import { brotliCompress, brotliDecompress, constants } from 'node:zlib';

const compress = promisify(brotliCompress);
const decompress = promisify(brotliDecompress);

/** Values whose JSON text is longer than this many bytes are stored compressed, unless configured otherwise. */
export const DEFAULT_COMPRESS_ABOVE = 1024;

const PLAIN = 0x6a; // 'j'
const BROTLI = 0x62; // 'b'

/** Why a stored value could not be decoded. */
export class UndecodableValue extends Error {}

/**
 * The JSON text of `value`, taken synchronously (a caller that changes the
 * value after the write was called changes nothing stored). Throws a
 * `TypeError` for what JSON cannot hold (`undefined`, a function, a BigInt,
 * a cycle).
 */
export function toJson(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`${typeof value} is not a JSON value`);
  return text;
}

/** The bytes to store for a JSON text: tagged, and compressed when longer than `compressAbove` bytes. */
export async function encode(json: string, compressAbove: number): Promise<Buffer> {
  const bytes = Buffer.from(json, 'utf8');
  if (bytes.length <= compressAbove) return Buffer.concat([Buffer.of(PLAIN), bytes]);
  const packed = await compress(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 5,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
  return Buffer.concat([Buffer.of(BROTLI), packed]);
}

/** The value stored as `bytes`; throws {@link UndecodableValue} for bytes this codec did not write. */
export async function decode(bytes: Buffer): Promise<unknown> {
  let text: string;
  if (bytes[0] === PLAIN) text = bytes.toString('utf8', 1);
  else if (bytes[0] === BROTLI) {
    try {
      text = (await decompress(bytes.subarray(1))).toString('utf8');
    } catch (error) {
      throw new UndecodableValue(`its Brotli data does not decompress (${(error as Error).message})`);
    }
  } else {
    throw new UndecodableValue(
      bytes.length === 0
        ? 'it is empty'
        : `it starts with the byte 0x${bytes[0]!.toString(16).padStart(2, '0')}, not a tag this store writes`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UndecodableValue(`it is not valid JSON (${(error as Error).message})`);
  }
}

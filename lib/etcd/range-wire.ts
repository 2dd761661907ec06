import "server-only";

// Reads the few fields a keys-only listing needs straight from a RangeResponse's protobuf bytes
// (etcdserverpb: RangeResponse.kvs = 2, more = 3, count = 4; KeyValue.key = 1). Decoding a page
// of 40,000 keys through etcd3's generic decoder, which turns every int64 into a string, costs
// more CPU than etcd spends answering it; this walks the bytes once and keeps only the keys.

export type RangeKeysPage = {
  /** The keys in order, as latin1 strings: one char per byte, so string order is byte order. */
  keys: string[];
  more: boolean;
  /** Keys in the whole requested range, whatever the limit. */
  count: number;
};

const VARINT = 0;
const LENGTH_DELIMITED = 2;

class WireReader {
  constructor(
    private readonly bytes: Uint8Array,
    public at: number,
    readonly end: number,
  ) {}

  varint(): number {
    let value = 0;
    for (let shift = 0; shift < 64; shift += 7) {
      if (this.at >= this.end) throw new Error(`truncated varint at byte ${this.at}`);
      const byte = this.bytes[this.at++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
    throw new Error(`varint longer than 10 bytes at byte ${this.at}`);
  }

  /** The end of a length-delimited field whose length comes next. */
  lengthEnd(): number {
    const length = this.varint();
    const end = this.at + length;
    if (end > this.end) throw new Error(`field of ${length} bytes at byte ${this.at} runs past its message`);
    return end;
  }

  skip(wireType: number): void {
    if (wireType === VARINT) this.varint();
    else if (wireType === LENGTH_DELIMITED) this.at = this.lengthEnd();
    else if (wireType === 1) this.at += 8;
    else if (wireType === 5) this.at += 4;
    else throw new Error(`unexpected wire type ${wireType} at byte ${this.at}`);
    if (this.at > this.end) throw new Error("fixed-width field runs past its message");
  }
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString("latin1");
}

function readKey(bytes: Uint8Array, start: number, end: number): string {
  const reader = new WireReader(bytes, start, end);
  let key = "";
  while (reader.at < end) {
    const tag = reader.varint();
    if (tag === ((1 << 3) | LENGTH_DELIMITED)) {
      const keyEnd = reader.lengthEnd();
      key = latin1(bytes, reader.at, keyEnd);
      reader.at = keyEnd;
    } else {
      reader.skip(tag & 7);
    }
  }
  return key;
}

/** The keys, `more` and `count` of a RangeResponse; throws on bytes that are not one. */
export function decodeRangeKeys(bytes: Uint8Array): RangeKeysPage {
  const reader = new WireReader(bytes, 0, bytes.length);
  const page: RangeKeysPage = { keys: [], more: false, count: 0 };
  while (reader.at < reader.end) {
    const tag = reader.varint();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === 2 && wireType === LENGTH_DELIMITED) {
      const end = reader.lengthEnd();
      page.keys.push(readKey(bytes, reader.at, end));
      reader.at = end;
    } else if (field === 3 && wireType === VARINT) {
      page.more = reader.varint() !== 0;
    } else if (field === 4 && wireType === VARINT) {
      page.count = reader.varint();
    } else {
      reader.skip(wireType);
    }
  }
  return page;
}

/** A Range page read with values, for sizing: the keys and their values' lengths, never the values themselves. */
export type RangeSizesPage = RangeKeysPage & { sizes: number[] };

function readKeyAndSize(bytes: Uint8Array, start: number, end: number): [string, number] {
  const reader = new WireReader(bytes, start, end);
  let key = "";
  let size = 0;
  while (reader.at < end) {
    const tag = reader.varint();
    if (tag === ((1 << 3) | LENGTH_DELIMITED)) {
      const keyEnd = reader.lengthEnd();
      key = latin1(bytes, reader.at, keyEnd);
      reader.at = keyEnd;
    } else if (tag === ((5 << 3) | LENGTH_DELIMITED)) {
      // KeyValue.value = 5: only its length is kept.
      const valueEnd = reader.lengthEnd();
      size = valueEnd - reader.at;
      reader.at = valueEnd;
    } else {
      reader.skip(tag & 7);
    }
  }
  return [key, size];
}

/** The keys, value sizes, `more` and `count` of a RangeResponse read with values; throws on bytes that are not one. */
export function decodeRangeSizes(bytes: Uint8Array): RangeSizesPage {
  const reader = new WireReader(bytes, 0, bytes.length);
  const page: RangeSizesPage = { keys: [], sizes: [], more: false, count: 0 };
  while (reader.at < reader.end) {
    const tag = reader.varint();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === 2 && wireType === LENGTH_DELIMITED) {
      const end = reader.lengthEnd();
      const [key, size] = readKeyAndSize(bytes, reader.at, end);
      page.keys.push(key);
      page.sizes.push(size);
      reader.at = end;
    } else if (field === 3 && wireType === VARINT) {
      page.more = reader.varint() !== 0;
    } else if (field === 4 && wireType === VARINT) {
      page.count = reader.varint();
    } else {
      reader.skip(wireType);
    }
  }
  return page;
}

// What can be read of a KMS-encrypted value without the KMS: which key encrypted its data key,
// and how long that encrypted data key is. The layouts are the API server's envelope transformers:
// v1 writes a 2-byte big-endian length, the encrypted DEK, then the data; v2 writes an
// EncryptedObject protobuf (1: encryptedData, 2: keyID, 3: the encrypted DEK or DEK seed,
// 4: annotations, 5: which of the two field 3 holds).
import protobuf from "protobufjs";

export type KmsEnvelope = { keyId?: string; encryptedDekBytes: number; dataBytes: number } | { damaged: string };

export function readKmsEnvelope(data: Buffer, version: string): KmsEnvelope {
  if (version === "v1") {
    if (data.length < 2) return { damaged: "shorter than its DEK length" };
    const dekLength = data.readUInt16BE(0);
    if (2 + dekLength > data.length) return { damaged: "its DEK length runs past the value" };
    return { encryptedDekBytes: dekLength, dataBytes: data.length - 2 - dekLength };
  }
  if (version !== "v2") return { damaged: `KMS ${version} is a format etcdlens does not know` };
  try {
    const reader = protobuf.Reader.create(data);
    let keyId: string | undefined;
    let encryptedDekBytes = 0;
    let dataBytes = 0;
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      const field = tag >>> 3;
      const wireType = tag & 7;
      if (field === 1 && wireType === 2) dataBytes = reader.bytes().length;
      else if (field === 2 && wireType === 2) keyId = reader.string();
      else if (field === 3 && wireType === 2) encryptedDekBytes = reader.bytes().length;
      else reader.skipType(wireType);
    }
    return { keyId, encryptedDekBytes, dataBytes };
  } catch {
    return { damaged: "its EncryptedObject protobuf does not parse" };
  }
}

import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey } from './partitioner.js';

// Computed with org.apache.kafka.common.utils.Utils.murmur2 / toPositive from kafka-clients
// 4.3.1 (the first six are also the vectors of Kafka's own UtilsTest.testMurmur2).
const JAVA_VECTORS: [key: string, hash: number, partitionOf10: number, partitionOf3: number][] = [
  ['21', -973932308, 0, 0],
  ['foobar', -790332482, 6, 0],
  ['a-little-bit-long-string', -985981536, 2, 2],
  ['a-little-bit-longer-string', -1486304829, 9, 2],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971, 7, 2],
  ['abc', 479470107, 7, 0],
  ['order-42', 501153024, 4, 0],
  ['', 275646681, 1, 0],
  ['é€😀', -232818566, 2, 0],
  ['k1', 1684045097, 7, 2],
  ['key-7', 713419675, 5, 1],
];

describe('murmur2 and partitionForKey', () => {
  it.each(JAVA_VECTORS)('hashes %j as the Java client does', (key, hash, of10, of3) => {
    expect(murmur2(Buffer.from(key, 'utf8'))).toBe(hash);
    expect(partitionForKey(key, 10)).toBe(of10);
    expect(partitionForKey(Buffer.from(key, 'utf8'), 3)).toBe(of3);
  });
});

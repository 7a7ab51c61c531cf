import { describe, expect, it } from 'vitest';
import { cloudEventRecord } from './cloudevent-record.js';

describe('cloudEventRecord', () => {
  it('puts the attributes in ce_* headers, the data in the value and the key in the record key', () => {
    const record = cloudEventRecord({
      id: 'e1',
      type: 'shop.link.clicked',
      source: '/shop/redirect',
      time: '2026-01-01T00:00:00.000Z',
      dataschema: 'https://shop.example/schemas/x.json',
      partitionKey: 'k1',
      data: { a: 1 },
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    expect(record).toEqual({
      key: 'k1',
      value: '{"a":1}',
      headers: {
        ce_specversion: '1.0',
        ce_id: 'e1',
        ce_source: '/shop/redirect',
        ce_type: 'shop.link.clicked',
        ce_time: '2026-01-01T00:00:00.000Z',
        ce_partitionkey: 'k1',
        ce_dataschema: 'https://shop.example/schemas/x.json',
        ce_traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        'content-type': 'application/json',
      },
    });
  });
});

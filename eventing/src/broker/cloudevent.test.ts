import { CloudEvent, HTTP } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import {
  fromKafkaRecord,
  InvalidEventError,
  parseHttpEvent,
  parseReply,
  toBinaryHttp,
  toKafkaRecord,
} from './cloudevent.js';

const binaryHeaders = (extra: Record<string, string> = {}) =>
  new Headers({
    'ce-specversion': '1.0',
    'ce-id': 'e1',
    'ce-source': '/shop/offer',
    'ce-type': 'shop.offer.price_changed',
    ...extra,
  });

describe('parseHttpEvent', () => {
  it('reads binary mode: ce- headers, content-type, body as data bytes', () => {
    const event = parseHttpEvent(
      binaryHeaders({
        'content-type': 'application/json',
        'ce-partitionkey': 'p1',
        'ce-time': '2024-05-01T10:00:00Z',
      }),
      Buffer.from('{"a": 1}'),
    );
    expect(event.attributes).toEqual({
      specversion: '1.0',
      id: 'e1',
      source: '/shop/offer',
      type: 'shop.offer.price_changed',
      datacontenttype: 'application/json',
      partitionkey: 'p1',
      time: '2024-05-01T10:00:00Z',
    });
    expect(event.data?.toString()).toBe('{"a": 1}');
    expect(parseHttpEvent(binaryHeaders(), Buffer.alloc(0)).data).toBeNull();
  });

  it('reads what the SDK writes in structured mode, extensions as strings, data as JSON bytes', () => {
    const sdkEvent = new CloudEvent({
      id: 'e2',
      source: '/shop/offer',
      type: 'shop.offer.price_changed',
      data: { price: 100 },
      partitionkey: 'p2',
      count: 3,
      flag: true,
    });
    const message = HTTP.structured(sdkEvent);
    const event = parseHttpEvent(
      new Headers(message.headers as Record<string, string>),
      Buffer.from(message.body as string),
    );
    expect(event.attributes).toMatchObject({
      id: 'e2',
      datacontenttype: 'application/json',
      partitionkey: 'p2',
      count: '3',
      flag: 'true',
    });
    expect(JSON.parse(event.data!.toString())).toEqual({ price: 100 });
  });

  it('decodes data_base64 and keeps text data of non-JSON content types as text', () => {
    const headers = new Headers({ 'content-type': 'application/cloudevents+json; charset=utf-8' });
    const base = { specversion: '1.0', id: 'e', source: '/s', type: 't' };
    const binary = parseHttpEvent(
      headers,
      Buffer.from(
        JSON.stringify({
          ...base,
          datacontenttype: 'image/png',
          data_base64: Buffer.from([1, 2]).toString('base64'),
        }),
      ),
    );
    expect([...binary.data!]).toEqual([1, 2]);
    const text = parseHttpEvent(
      headers,
      Buffer.from(JSON.stringify({ ...base, datacontenttype: 'text/plain', data: 'hi' })),
    );
    expect(text.data?.toString()).toBe('hi');
  });

  it.each([
    [
      'no CloudEvent markers',
      new Headers({ 'content-type': 'application/json' }),
      '{}',
      'not a CloudEvent',
    ],
    [
      'missing id',
      new Headers({ 'ce-specversion': '1.0', 'ce-source': '/s', 'ce-type': 't' }),
      '',
      'id is missing',
    ],
    ['specversion 0.3', binaryHeaders({ 'ce-specversion': '0.3' }), '', 'not supported'],
    ['bad time', binaryHeaders({ 'ce-time': 'yesterday' }), '', 'RFC 3339'],
    ['bad dataschema', binaryHeaders({ 'ce-dataschema': 'not a uri' }), '', 'dataschema'],
    ['empty subject', binaryHeaders({ 'ce-subject': '' }), '', 'subject'],
    ['bad extension name', binaryHeaders({ 'ce-my_ext': 'x' }), '', 'my_ext'],
    [
      'structured, not JSON',
      new Headers({ 'content-type': 'application/cloudevents+json' }),
      '{',
      'not JSON',
    ],
    [
      'structured batch',
      new Headers({ 'content-type': 'application/cloudevents-batch+json' }),
      '[]',
      'not a CloudEvent',
    ],
    [
      'structured, other format',
      new Headers({ 'content-type': 'application/cloudevents+avro' }),
      '',
      'not a supported event format',
    ],
    [
      'structured, object extension',
      new Headers({ 'content-type': 'application/cloudevents+json' }),
      JSON.stringify({ specversion: '1.0', id: 'e', source: '/s', type: 't', ext: { a: 1 } }),
      'ext must be',
    ],
  ])('refuses %s', (_name, headers, body, message) => {
    expect(() => parseHttpEvent(headers, Buffer.from(body))).toThrow(InvalidEventError);
    expect(() => parseHttpEvent(headers, Buffer.from(body))).toThrow(message);
  });
});

describe('Kafka binary content mode', () => {
  const event = parseHttpEvent(
    binaryHeaders({
      'content-type': 'application/json',
      'ce-partitionkey': 'order-42',
      'ce-traceparent': '00-a-b-01',
    }),
    Buffer.from('{"x":1}'),
  );

  it('maps attributes to ce_ headers, datacontenttype to content-type, partitionkey to the key', () => {
    const record = toKafkaRecord(event);
    expect(record.key).toBe('order-42');
    expect(record.value?.toString()).toBe('{"x":1}');
    expect(record.headers).toEqual({
      ce_specversion: '1.0',
      ce_id: 'e1',
      ce_source: '/shop/offer',
      ce_type: 'shop.offer.price_changed',
      ce_partitionkey: 'order-42',
      ce_traceparent: '00-a-b-01',
      'content-type': 'application/json',
    });
    expect(
      toKafkaRecord({ ...event, attributes: { ...event.attributes, partitionkey: undefined! } })
        .key,
    ).toBeNull();
  });

  it('reads back what it wrote, and refuses records that are not CloudEvents', () => {
    const record = toKafkaRecord(event);
    const headers: Record<string, Buffer> = {};
    for (const [k, v] of Object.entries(record.headers ?? {}))
      headers[k] = Buffer.from(v as string);
    const consumed = {
      topic: 't',
      partition: 0,
      offset: '0',
      key: null,
      value: Buffer.from('{"x":1}'),
      headers,
      timestamp: 0,
    };
    expect(fromKafkaRecord(consumed)).toEqual(event);
    expect(() => fromKafkaRecord({ ...consumed, headers: {} })).toThrow(InvalidEventError);
  });
});

describe('toBinaryHttp', () => {
  it('writes ce- headers and percent-encodes what is not printable ASCII', () => {
    const { headers, body } = toBinaryHttp({
      attributes: {
        specversion: '1.0',
        id: 'e',
        source: '/s',
        type: 't',
        subject: 'café 1',
        datacontenttype: 'text/plain',
      },
      data: Buffer.from('hi'),
    });
    expect(headers).toMatchObject({
      'ce-subject': 'caf%C3%A9 1',
      'content-type': 'text/plain',
      'ce-id': 'e',
    });
    expect(body?.toString()).toBe('hi');
  });
});

describe('parseReply (BaseResponseHandler)', () => {
  it('treats an empty 2xx as no reply and a binary or structured event as a reply', () => {
    expect(parseReply(new Headers(), Buffer.alloc(0))).toEqual({ kind: 'none' });
    expect(parseReply(binaryHeaders({ 'ce-id': '' }), Buffer.alloc(0))).toEqual({ kind: 'none' });
    const reply = parseReply(binaryHeaders(), Buffer.from('x'));
    expect(reply.kind).toBe('event');
    const structured = HTTP.structured(
      new CloudEvent({ id: 'r', source: '/r', type: 'r', data: { a: 1 } }),
    );
    expect(
      parseReply(
        new Headers(structured.headers as Record<string, string>),
        Buffer.from(structured.body as string),
      ).kind,
    ).toBe('event');
  });

  it('treats any other body as a failure', () => {
    expect(parseReply(new Headers({ 'content-type': 'text/plain' }), Buffer.from('ok')).kind).toBe(
      'invalid',
    );
    expect(parseReply(binaryHeaders({ 'ce-id': '' }), Buffer.from('x')).kind).toBe('invalid');
  });
});

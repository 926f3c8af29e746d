import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import type { StreamConsumer } from '../../manifest.ts';

/** Lambda event filtering, for the operators the manifest uses: exact values, prefix, exists, anything-but. */
export function matchesPattern(value: unknown, pattern: unknown): boolean {
  if (Array.isArray(pattern)) {
    return pattern.some((rule) => {
      if (rule !== null && typeof rule === 'object') {
        const r = rule as Record<string, unknown>;
        if ('prefix' in r) return typeof value === 'string' && value.startsWith(String(r.prefix));
        if ('exists' in r) return (value !== undefined) === r.exists;
        if ('anything-but' in r) return ![r['anything-but']].flat().includes(value);
        return false;
      }
      return value === rule;
    });
  }
  if (pattern !== null && typeof pattern === 'object') {
    if (value === null || typeof value !== 'object') return false;
    return Object.entries(pattern).every(([name, sub]) => matchesPattern((value as Record<string, unknown>)[name], sub));
  }
  return value === pattern;
}

/** Whether the event source mapping hands the record over: no filter patterns, or one that matches. */
export const passesFilters = (record: DynamoDBRecord, settings: Pick<StreamConsumer, 'filterPatterns'>) =>
  !settings.filterPatterns?.length || settings.filterPatterns.some((pattern) => matchesPattern(record, pattern));

type Image = Record<string, unknown>;

/**
 * DynamoDB Local writes an empty map in a stream image as `{}`, with no type, where DynamoDB Streams writes
 * `{"M":{}}`; unmarshalled, such an image fails. Only a map can come out so (an empty list stays `{"L":[]}`).
 */
function withTypedEmptyMaps(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const typed = value as Record<string, unknown>;
  const [type] = Object.keys(typed);
  if (type === undefined) return { M: {} };
  if (type === 'M') return { M: typedImage(typed.M as Image) };
  if (type === 'L') return { L: (typed.L as unknown[]).map(withTypedEmptyMaps) };
  return value;
}
const typedImage = (image: Image): Image =>
  Object.fromEntries(Object.entries(image).map(([name, value]) => [name, withTypedEmptyMaps(value)]));

/**
 * The record exactly as Lambda hands it over: epoch seconds for the creation time, the stream's ARN and region, and
 * empty maps typed as DynamoDB Streams types them.
 */
export function lambdaRecord(record: StreamRecord, streamArn: string, region: string): DynamoDBRecord {
  const d = record.dynamodb ?? {};
  const created = d.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    // DynamoDB Local says "ddblocal"; Lambda gives the table's region.
    awsRegion: region,
    dynamodb: {
      ...(created ? { ApproximateCreationDateTime: Math.floor(new Date(created).getTime() / 1000) } : {}),
      Keys: d.Keys,
      ...(d.NewImage ? { NewImage: typedImage(d.NewImage) } : {}),
      ...(d.OldImage ? { OldImage: typedImage(d.OldImage) } : {}),
      SequenceNumber: d.SequenceNumber,
      SizeBytes: d.SizeBytes,
      StreamViewType: d.StreamViewType,
    } as DynamoDBRecord['dynamodb'],
    eventSourceARN: streamArn,
  };
}

import { describe, expect, it } from 'vitest';
import { parseBucketUrl } from '../../../src/remote/stores/bucket-url.js';

describe('parseBucketUrl', () => {
  it('splits the bucket from a prefix that ends in one slash', () => {
    expect(parseBucketUrl('s3://b', 's3', 'an S3')).toEqual({ bucket: 'b', prefix: '' });
    expect(parseBucketUrl('gs://b/', 'gs', 'a GCS')).toEqual({ bucket: 'b', prefix: '' });
    expect(parseBucketUrl('azure://c/dvc/store//', 'azure', 'an Azure')).toEqual({ bucket: 'c', prefix: 'dvc/store/' });
  });

  it('refuses another scheme with E_BAD_INPUT naming the expected form', () => {
    expect(() => parseBucketUrl('gs://b/p', 's3', 'an S3')).toThrow(expect.objectContaining({ code: 'E_BAD_INPUT', message: expect.stringContaining('not an S3 URL') }));
    expect(() => parseBucketUrl('azure:///p', 'azure', 'an Azure')).toThrow(expect.objectContaining({ code: 'E_BAD_INPUT' }));
  });
});

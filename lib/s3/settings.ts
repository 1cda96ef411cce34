// What the transport needs to know about a destination, and the server's S3 settings (types only).
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export interface S3Destination {
  id?: number;
  projectId: number;
  bucket: string;
  region: string;
  endpoint: string;
  forcePathStyle: boolean;
  prefix: string;
  kmsKeyArn: string | null;
  roleArn: string | null;
  accessKeyId?: string | null;
  secretAccessKeyEnc?: string | null;
}

export interface S3Settings {
  /** the server's own credentials; undefined = the SDK's default provider chain */
  baseCredentials?: Credentials;
  /** key for destination secrets stored encrypted */
  secretKey?: string;
  /** STS endpoint for AssumeRole (default: the destination's endpoint, else AWS) */
  stsEndpoint?: string;
  presignExpiresSec?: number;
  requestTimeoutMs?: number;
  /**
   * the runtime's fetch sends a streamed body with the Content-Length given (Node's does; a runtime
   * that would send it chunked, which S3 refuses, leaves this off and parts are uploaded whole)
   */
  streamUploads?: boolean;
}

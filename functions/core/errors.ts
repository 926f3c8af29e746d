/** Errors that carry their HTTP meaning; anything else becomes a generic 500. */
export interface Issue {
  path: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: Issue[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationFailed extends DomainError {
  constructor(issues: Issue[], message = 'The request is not valid: see issues.') {
    super(400, 'validation_failed', message, issues);
  }
}
export class Unauthorized extends DomainError {
  constructor(message = 'Send the admin token or an API key as "Authorization: Bearer <token>".') {
    super(401, 'unauthorized', message);
  }
}
/** A valid key without the scope the route needs. */
export class Forbidden extends DomainError {
  constructor(message: string) {
    super(403, 'forbidden', message);
  }
}
export class InvalidToken extends DomainError {
  constructor(message = 'The link token is missing, invalid or expired for this survey.') {
    super(403, 'invalid_token', message);
  }
}
export class NotFound extends DomainError {
  constructor(what: string) {
    super(404, 'not_found', `${what} was not found.`);
  }
}
export class Conflict extends DomainError {
  constructor(code: string, message: string) {
    super(409, code, message);
  }
}
export class PayloadTooLarge extends DomainError {
  constructor(limit: number) {
    super(413, 'payload_too_large', `The body exceeds ${limit} bytes.`);
  }
}
export class UnsupportedMediaType extends DomainError {
  constructor(message = 'Send the body as JSON with "Content-Type: application/json".') {
    super(415, 'unsupported_media_type', message);
  }
}
export class IdempotencyKeyReused extends DomainError {
  constructor() {
    super(422, 'idempotency_key_reused', 'This Idempotency-Key was used with a different body; use a new key.');
  }
}
export class IdempotencyInProgress extends DomainError {
  constructor() {
    super(409, 'idempotency_in_progress', 'A request with this Idempotency-Key is still in progress; retry shortly.');
  }
}

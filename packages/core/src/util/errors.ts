/**
 * Base class of facekit's errors: a message that says what was wrong and what to do, plus a stable `code`
 * programs can switch on.
 */
export class FacekitError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FacekitError';
    this.code = code;
  }
}

/** A required file (model weights, face-model data) is missing; the message names what and where. */
export class MissingFileError extends FacekitError {
  readonly path: string;
  constructor(path: string, what: string, howToGet: string) {
    super('ERR_MISSING_FILE', `${what} not found at ${path}. ${howToGet}`);
    this.name = 'MissingFileError';
    this.path = path;
  }
}

/** A file exists but its content is not in the expected format. */
export class FormatError extends FacekitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_FORMAT', message, options);
    this.name = 'FormatError';
  }
}

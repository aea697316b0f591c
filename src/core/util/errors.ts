/** Input that is wrong in a way the user can fix: a bad file, request or model JSON. */
export class InputError extends Error {
  override readonly name: string = 'InputError';
}

/** A data file that does not parse; names the file and, where known, row and column. */
export class DataError extends InputError {
  override readonly name = 'DataError';
  constructor(
    readonly file: string,
    problem: string,
    readonly row?: number,
    readonly column?: number,
  ) {
    const where = [row === undefined ? '' : `row ${row}`, column === undefined ? '' : `column ${column}`].filter(Boolean).join(', ');
    super(`${file}${where ? ` (${where})` : ''}: ${problem}`);
  }
}

/** A model JSON that is not a model, has the wrong version or is damaged. */
export class ModelFormatError extends InputError {
  override readonly name = 'ModelFormatError';
}

/** An image we cannot turn into a digit: undecodable, unsupported, too large, or without ink. */
export class ImageError extends InputError {
  override readonly name = 'ImageError';
  constructor(
    message: string,
    readonly code: 'unsupported' | 'undecodable' | 'too-large' | 'empty',
  ) {
    super(message);
  }
}

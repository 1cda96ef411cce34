// The error every lib/ module throws for bad user input: the API answers it with 400 and its message.
export class InputError extends Error {
  readonly status = 400;
}

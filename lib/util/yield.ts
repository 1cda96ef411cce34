// A turn of the event loop. The native database driver is synchronous, so a write transaction runs as
// one chain of microtasks; without a turn between its steps the process reads no socket and answers
// no request meanwhile (incoming requests then arrive in waves, with both cores idle in between).
export const yieldToEventLoop = () => new Promise<void>((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

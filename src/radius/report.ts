// Exceptions from the callers' functions and from sockets go to one observer, which never learns a secret.
export type Report = (error: unknown, client: string | null, step: string) => void;

export function createReporter(observer: {
  onError?(error: unknown, context: { client: string | null; step: string }): void;
}): Report {
  return (error, client, step) => {
    try {
      observer.onError?.(error, { client, step });
    } catch {
      /* an observer must not break the server */
    }
  };
}

// Questions on the terminal: secrets (password, PIN) are not echoed. Without a terminal (a script, a test) the
// answers are read line by line from standard input.
import { createInterface } from 'node:readline';

export interface Prompter {
  ask(question: string): Promise<string>;
  secret(question: string): Promise<string>;
  close(): void;
}

export function terminalPrompter(input = process.stdin, output = process.stderr): Prompter {
  const lines: string[] = [];
  const waiting: Array<(line: string | undefined) => void> = [];
  let ended = false;
  const rl = createInterface({ input, terminal: false });
  rl.on('line', (line) => (waiting.length ? waiting.shift()!(line) : lines.push(line)));
  rl.on('close', () => {
    ended = true;
    for (const w of waiting.splice(0)) w(undefined);
  });
  const next = () =>
    new Promise<string>((resolve, reject) => {
      const give = (line: string | undefined) =>
        line === undefined ? reject(new Error('no more input')) : resolve(line);
      if (lines.length) give(lines.shift());
      else if (ended) give(undefined);
      else waiting.push(give);
    });
  const tty = 'isTTY' in input && input.isTTY && typeof input.setRawMode === 'function';
  return {
    async ask(question) {
      output.write(question);
      return (await next()).trim();
    },
    async secret(question) {
      output.write(question);
      if (!tty) return next();
      // Raw mode: the characters typed are not shown; the line still arrives through readline.
      input.setRawMode(true);
      const stopEcho = (data: Buffer) => {
        if (data.includes(3)) process.exit(130); // Ctrl+C
      };
      input.on('data', stopEcho);
      try {
        // Backspace (DEL) removes the character before it, as it would on screen.
        return [...(await next())].reduce((typed, c) => (c === '\x7f' ? typed.slice(0, -1) : typed + c), '');
      } finally {
        input.off('data', stopEcho);
        input.setRawMode(false);
        output.write('\n');
      }
    },
    close: () => rl.close(),
  };
}

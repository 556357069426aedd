// pino-roll ships no types: the part of its API the log files module uses.
declare module 'pino-roll' {
  interface PinoRollOptions {
    file: string;
    size?: string | number;
    frequency?: 'daily' | 'hourly' | number;
    extension?: string;
    dateFormat?: string;
    limit?: { count: number; removeOtherLogFiles?: boolean };
    mkdir?: boolean;
    /** Passed to sonic-boom: the mode new files are created with. */
    mode?: number;
    sync?: boolean;
  }

  /** The sonic-boom stream pino-roll writes through. */
  interface RollingStream {
    write(chunk: string): boolean;
    flushSync(): void;
    end(): void;
    once(event: 'close' | 'finish' | 'ready', listener: () => void): void;
    on(event: 'error', listener: (error: Error) => void): void;
  }

  export default function pinoRoll(options: PinoRollOptions): Promise<RollingStream>;
}

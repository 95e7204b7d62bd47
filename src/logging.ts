/**
 * Structured logging: one JSON object a line, with properties (execution id, job name, target)
 * that Application Insights keeps as custom dimensions. Nothing here ever receives a password:
 * callers log names and ids, not credentials or connection strings.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogProperties = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  debug(message: string, properties?: LogProperties): void;
  info(message: string, properties?: LogProperties): void;
  warn(message: string, properties?: LogProperties): void;
  error(message: string, properties?: LogProperties): void;
  child(properties: LogProperties): Logger;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogSink = (line: string) => void;

export function createLogger(level: LogLevel = 'info', sink: LogSink = (l) => process.stderr.write(l + '\n'), base: LogProperties = {}): Logger {
  const write = (at: Exclude<LogLevel, 'silent'>) => (message: string, properties?: LogProperties) => {
    if (ORDER[at] < ORDER[level]) return;
    sink(JSON.stringify({ time: new Date().toISOString(), level: at, message, ...base, ...properties }));
  };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (properties) => createLogger(level, sink, { ...base, ...properties }),
  };
}

export const silentLogger: Logger = createLogger('silent');

import pino from 'pino';

/** One structured logger for the process; requests log through children that carry their request id. */
export const log = pino({
	level: process.env.CAUCUS_LOG_LEVEL || (process.env.VITEST ? 'silent' : 'info'),
	base: { service: 'caucus' },
	redact: ['password', '*.password', 'token', '*.token', 'req.headers.authorization', 'req.headers.cookie']
});

export type Logger = pino.Logger;

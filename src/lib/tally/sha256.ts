// SHA-256 (FIPS 180-4) in plain TypeScript. node:crypto would do the same job, but the tie-break has to be
// recomputable wherever a tally is checked, the browser included, and Web Crypto's digest is asynchronous.
// The unit tests compare this against node:crypto.

// Int32Array throughout: V8 then keeps every value a 32-bit integer instead of falling back to doubles.
const ROUND_CONSTANTS = new Int32Array([
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
]);

const INITIAL_HASH = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

const rotateRight = (x: number, bits: number) => (x >>> bits) | (x << (32 - bits));

const utf8 = new TextEncoder();
// Reused by every call: the function never yields mid-digest, so sharing it is safe and saves an allocation.
const schedule = new Int32Array(64);

/** The SHA-256 digest of the text's UTF-8 encoding, as 64 lowercase hex digits (what `sha256sum` prints). */
export function sha256Hex(text: string): string {
	const message = utf8.encode(text);
	// The message, a 1 bit, zeros, and the bit length as a 64-bit big-endian integer, in 64-byte blocks.
	const paddedLength = Math.ceil((message.length + 9) / 64) * 64;
	const padded = new Uint8Array(paddedLength);
	padded.set(message);
	padded[message.length] = 0x80;
	const bitLength = message.length * 8;
	for (let byte = 1, rest = bitLength; byte <= 8; byte++, rest = Math.floor(rest / 256)) padded[paddedLength - byte] = rest % 256;

	let h0 = INITIAL_HASH[0];
	let h1 = INITIAL_HASH[1];
	let h2 = INITIAL_HASH[2];
	let h3 = INITIAL_HASH[3];
	let h4 = INITIAL_HASH[4];
	let h5 = INITIAL_HASH[5];
	let h6 = INITIAL_HASH[6];
	let h7 = INITIAL_HASH[7];
	for (let block = 0; block < paddedLength; block += 64) {
		for (let t = 0, at = block; t < 16; t++, at += 4) schedule[t] = (padded[at] << 24) | (padded[at + 1] << 16) | (padded[at + 2] << 8) | padded[at + 3];
		for (let t = 16; t < 64; t++) {
			const early = schedule[t - 15];
			const late = schedule[t - 2];
			const sigma0 = rotateRight(early, 7) ^ rotateRight(early, 18) ^ (early >>> 3);
			const sigma1 = rotateRight(late, 17) ^ rotateRight(late, 19) ^ (late >>> 10);
			schedule[t] = schedule[t - 16] + sigma0 + schedule[t - 7] + sigma1; // stored mod 2^32
		}
		let a = h0;
		let b = h1;
		let c = h2;
		let d = h3;
		let e = h4;
		let f = h5;
		let g = h6;
		let h = h7;
		for (let t = 0; t < 64; t++) {
			const sum1 = rotateRight(e, 6) ^ rotateRight(e, 11) ^ rotateRight(e, 25);
			const choice = (e & f) ^ (~e & g);
			const temp1 = (h + sum1 + choice + ROUND_CONSTANTS[t] + schedule[t]) | 0;
			const sum0 = rotateRight(a, 2) ^ rotateRight(a, 13) ^ rotateRight(a, 22);
			const majority = (a & b) ^ (a & c) ^ (b & c);
			const temp2 = (sum0 + majority) | 0;
			h = g;
			g = f;
			f = e;
			e = (d + temp1) | 0;
			d = c;
			c = b;
			b = a;
			a = (temp1 + temp2) | 0;
		}
		h0 = (h0 + a) | 0;
		h1 = (h1 + b) | 0;
		h2 = (h2 + c) | 0;
		h3 = (h3 + d) | 0;
		h4 = (h4 + e) | 0;
		h5 = (h5 + f) | 0;
		h6 = (h6 + g) | 0;
		h7 = (h7 + h) | 0;
	}
	let hex = '';
	for (const word of [h0, h1, h2, h3, h4, h5, h6, h7]) hex += (word >>> 0).toString(16).padStart(8, '0');
	return hex;
}

import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

// The tie-break has to be recomputable wherever a tally is checked, the browser included, and Web Crypto's
// digest is asynchronous: @noble/hashes is synchronous, audited and runs in both. The unit tests compare it
// against node:crypto.

/** The SHA-256 digest of the text's UTF-8 encoding, as 64 lowercase hex digits (what `sha256sum` prints). */
export function sha256Hex(text: string): string {
	return bytesToHex(sha256(utf8ToBytes(text)));
}

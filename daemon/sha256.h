/* sha256.h — SHA-256 and HMAC-SHA256 (FIPS 180-4, RFC 2104), for signing
 * requests to an SMS provider.  Pure. */
#ifndef HALLQ_SHA256_H
#define HALLQ_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t	 h[8];
	uint64_t	 len;		/* bytes so far */
	unsigned char	 buf[64];
	size_t		 nbuf;
};

void	 sha256_init(struct sha256 *);
void	 sha256_update(struct sha256 *, const void *, size_t);
void	 sha256_final(struct sha256 *, unsigned char out[32]);
void	 hmac_sha256(const void *key, size_t keylen, const void *msg,
	    size_t msglen, unsigned char out[32]);
/* out: 65 bytes, lower-case hex and a NUL. */
void	 sha256_to_hex(const unsigned char d[32], char out[65]);
void	 sha256_hex(const void *msg, size_t len, char out[65]);
void	 hmac_sha256_hex(const char *key, const void *msg, size_t msglen,
	    char out[65]);

#endif

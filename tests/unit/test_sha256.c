/* test_sha256.c — SHA-256 (FIPS 180-4 examples) and HMAC-SHA256 (RFC 4231). */
#include <stdio.h>
#include <string.h>

#include "sha256.h"
#include "t.h"

static void
hex(const unsigned char *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static void
check_sha(const char *msg, size_t n, const char *want)
{
	struct sha256 s;
	unsigned char d[32];
	char got[65];

	sha256_init(&s);
	sha256_update(&s, msg, n);
	sha256_final(&s, d);
	hex(d, 32, got);
	CHECK(strcmp(got, want) == 0);
}

int
main(void)
{
	char got[65], key[131];
	unsigned char mac[32];
	struct sha256 s;
	unsigned char d[32];
	int i;

	check_sha("abc", 3,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	check_sha("", 0,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check_sha("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* A million 'a's, fed in uneven pieces. */
	{
		char a[997];
		size_t left = 1000000, n;

		memset(a, 'a', sizeof a);
		sha256_init(&s);
		for (i = 0; left > 0; i++) {
			n = (size_t)(i % 5 + 1) * 199 % sizeof a;
			if (n == 0 || n > left)
				n = left < sizeof a ? left : sizeof a;
			sha256_update(&s, a, n);
			left -= n;
		}
		sha256_final(&s, d);
		hex(d, 32, got);
		CHECK(strcmp(got, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e"
		    "046d39ccc7112cd0") == 0);
	}
	/* RFC 4231 test cases 1, 2 and 6 (a key longer than a block). */
	memset(key, 0x0b, 20);
	hmac_sha256(key, 20, "Hi There", 8, mac);
	hex(mac, 32, got);
	CHECK(strcmp(got, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9"
	    "376c2e32cff7") == 0);
	hmac_sha256_hex("Jefe", "what do ya want for nothing?", 28, got);
	CHECK(strcmp(got, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec"
	    "58b964ec3843") == 0);
	memset(key, 0xaa, 131);
	hmac_sha256(key, 131, "Test Using Larger Than Block-Size Key - Hash Key "
	    "First", 54, mac);
	hex(mac, 32, got);
	CHECK(strcmp(got, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546"
	    "040f0ee37f54") == 0);
	return t_done("sha256");
}

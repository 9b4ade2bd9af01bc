/* crypto: HMAC, SHA-256, base64 and uuid against published answers. */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "crypto.h"
#include "tap.h"

int
main(void)
{
	unsigned char mac[CRYPTO_SHA256_LEN], mac1[CRYPTO_SHA1_LEN], out[64];
	unsigned char rnd[16], rnd2[16];
	char hex[65], b64[64], uuid[CRYPTO_UUID_LEN + 1];

	tap_plan(19);
	/* RFC 4231 test case 2. */
	crypto_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, mac);
	crypto_hex(mac, sizeof(mac), hex);
	is_str(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b9"
	    "64ec3843", "HMAC-SHA256 RFC 4231 case 2");
	/* RFC 2202 test case 2. */
	crypto_hmac_sha1("Jefe", 4, "what do ya want for nothing?", 28, mac1);
	crypto_hex(mac1, sizeof(mac1), hex);
	is_str(hex, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
	    "HMAC-SHA1 RFC 2202 case 2");
	crypto_sha256("", 0, mac);
	crypto_hex(mac, sizeof(mac), hex);
	is_str(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
	    "7852b855", "SHA-256 of nothing");

	is_int((long long)crypto_b64_size(0), 1, "b64 size 0");
	is_int((long long)crypto_b64_size(4), 9, "b64 size 4");
	crypto_b64("foob", 4, b64);
	is_str(b64, "Zm9vYg==", "base64 foob");
	crypto_b64("fooba", 5, b64);
	is_str(b64, "Zm9vYmE=", "base64 fooba");
	is_int(crypto_unb64("Zm9vYmE=", 8, out, sizeof(out)), 5,
	    "unbase64 length");
	ok(memcmp(out, "fooba", 5) == 0, "unbase64 bytes");
	is_int(crypto_unb64("Zm9vYmE", 7, out, sizeof(out)), -1,
	    "unbase64 refuses bad length");
	is_int(crypto_unb64("Zm9v!!==", 8, out, sizeof(out)), -1,
	    "unbase64 refuses bad characters");
	is_int(crypto_unb64("Zm9vYmFy", 8, out, 3), -1,
	    "unbase64 refuses a short buffer");

	memset(rnd, 0xff, sizeof(rnd));
	crypto_uuid_format(rnd, uuid);
	is_str(uuid, "ffffffff-ffff-4fff-bfff-ffffffffffff", "uuid v4 bits");
	ok(crypto_random(rnd, sizeof(rnd)) == 0 &&
	    crypto_random(rnd2, sizeof(rnd2)) == 0, "random bytes");
	ok(memcmp(rnd, rnd2, sizeof(rnd)) != 0, "random bytes differ");
	crypto_wipe(rnd, sizeof(rnd));
	memset(rnd2, 0, sizeof(rnd2));
	ok(memcmp(rnd, rnd2, sizeof(rnd)) == 0, "wipe zeroes");
	/* SipHash-2-4: the paper's vectors (key 00..0f), then OpenSSL's own
	 * SIPHASH (8-byte output) on 300 messages of every length 0..299. */
	{
		unsigned char key[16], msg[300], want[8];
		unsigned long long h;
		EVP_MAC *sipmac = EVP_MAC_fetch(NULL, "SIPHASH", NULL);
		EVP_MAC_CTX *ctx = sipmac != NULL ?
		    EVP_MAC_CTX_new(sipmac) : NULL;
		size_t i, n, bad = 0, outl, size = 8;
		OSSL_PARAM params[2];

		for (i = 0; i < 16; i++)
			key[i] = (unsigned char)i;
		for (i = 0; i < sizeof(msg); i++)
			msg[i] = (unsigned char)(i * 7 + 3);
		ok(crypto_siphash24(key, "", 0) == 0x726fdb47dd0e0e31ULL,
		    "siphash24: the empty message");
		for (i = 0; i < 15; i++)
			msg[i] = (unsigned char)i;
		ok(crypto_siphash24(key, msg, 15) == 0xa129ca6149be45e5ULL,
		    "siphash24: 00..0e (the paper's appendix A)");
		params[0] = OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE,
		    &size);
		params[1] = OSSL_PARAM_construct_end();
		for (n = 0; ctx != NULL && n < sizeof(msg); n++) {
			key[n % 16] ^= (unsigned char)n;
			h = crypto_siphash24(key, msg, n);
			if (!EVP_MAC_init(ctx, key, 16, params) ||
			    !EVP_MAC_update(ctx, msg, n) ||
			    !EVP_MAC_final(ctx, want, &outl, sizeof(want)) ||
			    outl != 8)
				bad++;
			for (i = 0; i < 8; i++)
				if (((h >> (8 * i)) & 0xff) != want[i])
					bad++;
		}
		ok(ctx != NULL && bad == 0, "siphash24 agrees with OpenSSL's "
		    "SIPHASH on 300 lengths and keys (%zu differences)", bad);
		EVP_MAC_CTX_free(ctx);
		EVP_MAC_free(sipmac);
	}
	return tap_done();
}

/* Phone numbers, email addresses and names as customers and channel plugins send them: normalised (the
 * form the blind index and storage use) and masked (the form shown to most roles). Each function accepts
 * or refuses with nothing allocated; what it accepts normalises to itself again, and a mask never shows
 * a name as it is. */
#include <stdint.h>
#include <string.h>

#include "error.h"
#include "fuzz_util.h"
#include "pii.h"

typedef int (*pii_fn)(const char *in, char **out);

static char *run(pii_fn fn, const char *in)
{
	char *out = (char *)1;
	int rc = fn(in, &out);
	FUZZ_ASSERT(rc == 0 || rc == VOCD_EINVAL);
	FUZZ_ASSERT(rc == 0 ? out != NULL : out == NULL);
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_string(data, size);

	char *phone = run(vocd_pii_normalize_phone, in);
	if (phone) {
		size_t n = strlen(phone);
		FUZZ_ASSERT(n >= 8 && n <= 15 && strspn(phone, "0123456789") == n);
		char plus[20];
		snprintf(plus, sizeof plus, "+%s", phone);
		char *again = run(vocd_pii_normalize_phone, plus);
		FUZZ_ASSERT(again && strcmp(again, phone) == 0);
		vocd_pii_free(again);
		vocd_pii_free(run(vocd_pii_mask_phone, phone));
	}
	vocd_pii_free(run(vocd_pii_mask_phone, in));

	char *email = run(vocd_pii_normalize_email, in);
	if (email) {
		char *again = run(vocd_pii_normalize_email, email);
		FUZZ_ASSERT(again && strcmp(again, email) == 0);
		vocd_pii_free(again);
		vocd_pii_free(run(vocd_pii_mask_email, email));
	}
	vocd_pii_free(run(vocd_pii_mask_email, in));

	char *name = run(vocd_pii_normalize_name, in);
	if (name) {
		char *again = run(vocd_pii_normalize_name, name);
		FUZZ_ASSERT(again && strcmp(again, name) == 0);
		vocd_pii_free(again);
		char *masked = run(vocd_pii_mask_name, name);
		/* "9*" and "-" mask to themselves and show nothing more for it: the promise is for names with a
		 * letter or digit in them and no '*' of their own */
		int letters = strcspn(name, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") < strlen(name);
		FUZZ_ASSERT(!masked || !letters || strchr(name, '*') || strcmp(masked, name) != 0);
		vocd_pii_free(masked);
	}
	vocd_pii_free(run(vocd_pii_mask_name, in));

	vocd_pii_free(phone);
	vocd_pii_free(email);
	vocd_pii_free(name);
	free(in);
	return 0;
}

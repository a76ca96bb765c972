/* Survey dimension counters, kept beside the scores' rollups. */
#include "rollup_dims.h"

#include <string.h>

#include "error.h"
#include "rollup.h"
#include "survey.h"

_Static_assert(VOCD_ROLLUP_DIM_SLOTS >= VOCD_SURVEY_MAX_DIMENSION_IDS, "a slot for each dimension a tenant may ask");

#define ID_MAX 33 /* survey item ids are at most 32 bytes (survey.h) */
#define SLOTS_ID "slots"

/* The slot table: ids in slot order, "" where free. */
struct slots {
	char id[VOCD_ROLLUP_DIM_SLOTS][ID_MAX];
};

static int find_slot(const struct slots *t, const char *id)
{
	for (int i = 0; i < VOCD_ROLLUP_DIM_SLOTS; i++)
		if (strcmp(t->id[i], id) == 0)
			return i;
	return -1;
}

static int read_slots(vocd_txn *txn, const char *tenant, struct slots *t)
{
	const void *data;
	size_t len;
	memset(t, 0, sizeof *t);
	int rc = vocd_rec_get(txn, tenant, VOCD_ROLLUP_DIM_SLOTS_TYPE, SLOTS_ID, &data, &len);
	if (rc == VOCD_ENOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	memcpy(t, data, len < sizeof *t ? len : sizeof *t);
	for (int i = 0; i < VOCD_ROLLUP_DIM_SLOTS; i++)
		t->id[i][ID_MAX - 1] = '\0';
	return 0;
}

int vocd_rollup_dim_slot(vocd_txn *txn, const char *tenant, const char *id)
{
	struct slots t;
	return read_slots(txn, tenant, &t) == 0 ? find_slot(&t, id) : -1;
}

static void write_slots(void *data, int found, void *arg)
{
	(void)found;
	memcpy(data, arg, sizeof(struct slots));
}

/* One evaluation's change: the value answered in each slot (0: none). */
struct change {
	int value[VOCD_ROLLUP_DIM_SLOTS];
	int sign, suspect;
};

static void add(uint32_t *field, int sign, uint32_t by)
{
	*field = sign > 0 ? *field + by : *field > by ? *field - by : 0;
}

static void apply(void *data, int found, void *arg)
{
	(void)found;
	const struct change *ch = arg;
	struct vocd_rollup_dim_counts c;
	memcpy(&c, data, sizeof c); /* stored values are not aligned for use in place */
	c.version = 1;
	struct vocd_dim_sums *sums = ch->suspect ? c.suspect : c.all;
	for (int i = 0; i < VOCD_ROLLUP_DIM_SLOTS; i++) {
		uint32_t v = (uint32_t)ch->value[i];
		if (!v)
			continue;
		add(&sums[i].n, ch->sign, 1);
		add(&sums[i].sum, ch->sign, v);
		add(&sums[i].sumsq, ch->sign, v * v);
	}
	memcpy(data, &c, sizeof c);
}

static const struct vocd_rollup_kind kind = {VOCD_ROLLUP_DIMS_TYPE, VOCD_ROLLUP_DIMS_MONTH_TYPE,
                                             sizeof(struct vocd_rollup_dim_counts), apply};

int vocd_rollup_dims_count(vocd_txn *txn, const char *tenant, const struct vocd_calendar *cal,
                           const cJSON *evaluation, int sign, int suspect)
{
	const cJSON *answered = cJSON_GetObjectItemCaseSensitive(evaluation, "dimensions"), *a;
	if (!cJSON_IsObject(answered) || !answered->child)
		return 0;
	struct slots t;
	int rc = read_slots(txn, tenant, &t), any = 0, added = 0;
	if (rc != 0)
		return rc;
	struct change ch;
	memset(&ch, 0, sizeof ch);
	ch.sign = sign;
	ch.suspect = suspect;
	cJSON_ArrayForEach(a, answered) {
		/* The survey checked the answer (1..scale, at most 10); anything else was never counted. */
		if (!cJSON_IsNumber(a) || a->valueint < 1 || a->valueint > 10 || strlen(a->string) >= ID_MAX)
			continue;
		int slot = find_slot(&t, a->string);
		if (slot < 0 && sign > 0) {
			slot = find_slot(&t, "");
			if (slot >= 0) {
				memcpy(t.id[slot], a->string, strlen(a->string) + 1);
				added = 1;
			}
		}
		if (slot >= 0) {
			ch.value[slot] = a->valueint;
			any = 1;
		}
	}
	if (added)
		rc = vocd_rec_modify(txn, tenant, VOCD_ROLLUP_DIM_SLOTS_TYPE, SLOTS_ID, sizeof t, write_slots, &t);
	if (rc != 0 || !any)
		return rc;
	int64_t at = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(evaluation, "created_at"));
	return vocd_rollup_count_kind(txn, tenant, &kind, &ch, evaluation, vocd_calendar_day_of(cal, at));
}

int vocd_rollup_dims_sum(vocd_txn *txn, const char *tenant, const char *dim, const char *value, int32_t from_day,
                         int32_t to_day, struct vocd_rollup_dim_counts *out)
{
	return vocd_rollup_sum_kind(txn, tenant, &kind, dim, value, from_day, to_day, out);
}

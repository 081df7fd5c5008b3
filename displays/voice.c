/* voice.c — which recorded clips say a call, in which order.  Pure: no I/O,
 * no allocation, nothing from daemon/; it names clips, playing them is the
 * caller's.  The clip list is mirrored in tools/mkvoice.sh: keep them equal. */
#include <string.h>

#include "voice.h"

/* Every clip, as indexes into voice_clips[]: runs of letters, digits and
 * numbers are contiguous so a clip is found by arithmetic. */
enum voice_clip {
	VC_CHIME,
	VC_ZH_QING,			/* 请 */
	VC_ZH_A,			/* zh/A .. zh/Z */
	VC_ZH_0 = VC_ZH_A + 26,		/* 零 .. 九 */
	VC_ZH_SHI = VC_ZH_0 + 10,	/* 十 */
	VC_ZH_HAO,			/* 号, after the ticket number */
	VC_ZH_DAO,			/* 到 */
	VC_ZH_HAO_CHUANGKOU,		/* 号窗口 */
	VC_ZH_BANLI,			/* 办理 */
	VC_EN_NUMBER,			/* "Number" */
	VC_EN_A,			/* en/A .. en/Z */
	VC_EN_0 = VC_EN_A + 26,		/* "zero" .. "nine" */
	VC_EN_PLEASE = VC_EN_0 + 10,	/* "please go to window" */
	VC_EN_N1,			/* "one" .. "nineteen" */
	VC_EN_N20 = VC_EN_N1 + 19,	/* "twenty" .. "ninety" */
	VC_MAX = VC_EN_N20 + 8
};

static const char *const voice_clips[VC_MAX + 1] = {
	[VC_CHIME] = "chime",
	[VC_ZH_QING] = "zh/qing",
	[VC_ZH_A] =
	"zh/A", "zh/B", "zh/C", "zh/D", "zh/E", "zh/F", "zh/G", "zh/H", "zh/I",
	"zh/J", "zh/K", "zh/L", "zh/M", "zh/N", "zh/O", "zh/P", "zh/Q", "zh/R",
	"zh/S", "zh/T", "zh/U", "zh/V", "zh/W", "zh/X", "zh/Y", "zh/Z",
	[VC_ZH_0] =
	"zh/0", "zh/1", "zh/2", "zh/3", "zh/4", "zh/5", "zh/6", "zh/7", "zh/8",
	"zh/9",
	[VC_ZH_SHI] = "zh/shi",
	[VC_ZH_HAO] = "zh/hao",
	[VC_ZH_DAO] = "zh/dao",
	[VC_ZH_HAO_CHUANGKOU] = "zh/hao_chuangkou",
	[VC_ZH_BANLI] = "zh/banli",
	[VC_EN_NUMBER] = "en/number",
	[VC_EN_A] =
	"en/A", "en/B", "en/C", "en/D", "en/E", "en/F", "en/G", "en/H", "en/I",
	"en/J", "en/K", "en/L", "en/M", "en/N", "en/O", "en/P", "en/Q", "en/R",
	"en/S", "en/T", "en/U", "en/V", "en/W", "en/X", "en/Y", "en/Z",
	[VC_EN_0] =
	"en/0", "en/1", "en/2", "en/3", "en/4", "en/5", "en/6", "en/7", "en/8",
	"en/9",
	[VC_EN_PLEASE] = "en/please_go_to_window",
	[VC_EN_N1] =
	"en/n1", "en/n2", "en/n3", "en/n4", "en/n5", "en/n6", "en/n7", "en/n8",
	"en/n9", "en/n10", "en/n11", "en/n12", "en/n13", "en/n14", "en/n15",
	"en/n16", "en/n17", "en/n18", "en/n19",
	[VC_EN_N20] =
	"en/n20", "en/n30", "en/n40", "en/n50", "en/n60", "en/n70", "en/n80",
	"en/n90",
	[VC_MAX] = NULL
};

/* Clips written so far into the caller's array. */
struct voice_out {
	const char	**clips;
	int		  max;
	int		  n;
	int		  full;	/* a clip did not fit: the call fails whole */
};

static void
voice_put(struct voice_out *o, enum voice_clip c)
{
	if (o->n < o->max)
		o->clips[o->n++] = voice_clips[c];
	else
		o->full = 1;
}

/* The ticket number a character at a time from letter and digit runs. */
static void
voice_spell(struct voice_out *o, const char *number, enum voice_clip a,
    enum voice_clip zero)
{
	const char	*p;

	for (p = number; p != NULL && *p != '\0'; p++) {
		if (*p >= 'A' && *p <= 'Z')
			voice_put(o, a + (*p - 'A'));
		else if (*p >= 'a' && *p <= 'z')
			voice_put(o, a + (*p - 'a'));
		else if (*p >= '0' && *p <= '9')
			voice_put(o, zero + (*p - '0'));
	}
}

/* A number digit by digit, most significant first. */
static void
voice_digits(struct voice_out *o, unsigned int n, enum voice_clip zero)
{
	if (n >= 10)
		voice_digits(o, n / 10, zero);
	voice_put(o, zero + n % 10);
}

/* 请 A 零 一 二 号 到 十 二 号窗口 办理 */
static void
voice_zh(struct voice_out *o, const char *number, unsigned int window)
{
	voice_put(o, VC_ZH_QING);
	voice_spell(o, number, VC_ZH_A, VC_ZH_0);
	voice_put(o, VC_ZH_HAO);
	voice_put(o, VC_ZH_DAO);
	if (window == 0 || window >= 100)
		voice_digits(o, window, VC_ZH_0);
	else if (window < 10)
		voice_put(o, VC_ZH_0 + window);
	else {
		/* 十, 十一 .. 十九, 二十, 二十三 .. 九十九 */
		if (window >= 20)
			voice_put(o, VC_ZH_0 + window / 10);
		voice_put(o, VC_ZH_SHI);
		if (window % 10 != 0)
			voice_put(o, VC_ZH_0 + window % 10);
	}
	voice_put(o, VC_ZH_HAO_CHUANGKOU);
	voice_put(o, VC_ZH_BANLI);
}

/* Number A zero one two, please go to window twenty three */
static void
voice_en(struct voice_out *o, const char *number, unsigned int window)
{
	voice_put(o, VC_EN_NUMBER);
	voice_spell(o, number, VC_EN_A, VC_EN_0);
	voice_put(o, VC_EN_PLEASE);
	if (window == 0 || window >= 100)
		voice_digits(o, window, VC_EN_0);
	else if (window < 20)
		voice_put(o, VC_EN_N1 + window - 1);
	else {
		voice_put(o, VC_EN_N20 + window / 10 - 2);
		if (window % 10 != 0)
			voice_put(o, VC_EN_N1 + window % 10 - 1);
	}
}

static const struct voice_lang {
	const char	*name;
	void		(*say)(struct voice_out *, const char *, unsigned int);
} voice_langs[] = {
	{ "zh", voice_zh },
	{ "en", voice_en },
};

static const struct voice_lang *
voice_lang_find(const char *name)
{
	size_t	 i;

	for (i = 0; name != NULL &&
	    i < sizeof voice_langs / sizeof voice_langs[0]; i++) {
		if (strcmp(voice_langs[i].name, name) == 0)
			return &voice_langs[i];
	}
	return NULL;
}

int
voice_lang_known(const char *name)
{
	return voice_lang_find(name) != NULL;
}

int
voice_compose(const char *number, int window, const char *const *langs,
    int nlangs, int repeat, const char **clips, int max)
{
	struct voice_out	 o = { clips, max, 0, 0 };
	const struct voice_lang	*l;
	unsigned int		 w;
	int			 r, i;

	if (clips == NULL || max < 0)
		o.max = 0;
	/* The magnitude, without overflow for INT_MIN. */
	w = window < 0 ? 0u - (unsigned int)window : (unsigned int)window;
	if (repeat < 1)
		repeat = 1;
	if (repeat > VOICE_REPEAT_MAX)
		repeat = VOICE_REPEAT_MAX;

	voice_put(&o, VC_CHIME);
	for (r = 0; r < repeat; r++) {
		for (i = 0; langs != NULL && i < nlangs; i++) {
			if ((l = voice_lang_find(langs[i])) != NULL)
				l->say(&o, number, w);
		}
	}
	return o.full ? -1 : o.n;
}

const char *const *
voice_all_clips(void)
{
	return voice_clips;
}

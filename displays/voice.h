/* voice.h — a call announcement as a sequence of recorded clips: the chime,
 * then "请 A 零 一 二 号到 三 号窗口办理" and/or "Number A zero one two, please
 * go to window three", repeated.  Pure: names only, the player finds
 * NAME.wav.  tools/mkvoice.sh makes the default set of clips. */
#ifndef HALLQ_VOICE_H
#define HALLQ_VOICE_H

#define VOICE_CLIPS_MAX		256	/* clips a caller should have room for */
#define VOICE_REPEAT_MAX	5

/*
 * Clip names of one call: "chime" once, then for each repetition (repeat
 * clamped to 1..VOICE_REPEAT_MAX) each language in order (langs like
 * {"zh", "en"}; unknown ones are skipped) says its sentence.  The number is
 * spelled a character at a time: letters (lowercase upper-cased) and digits,
 * anything else skipped.  A negative window is said as its magnitude.
 * Returns the number of clips written to clips[] (static strings, no
 * allocation), or -1 if max is too small.
 */
int		 voice_compose(const char *number, int window,
		    const char *const *langs, int nlangs, int repeat,
		    const char **clips, int max);

/* Every clip name voice_compose can ever produce, NULL-terminated (for
 * tools and tests); tools/mkvoice.sh keeps the same list. */
const char *const *voice_all_clips(void);

int		 voice_lang_known(const char *);

#endif

/* Freeing strings that may hold secrets, and NULL-terminated string
 * vectors. */
#ifndef ALBATROSS_STRUTIL_H
#define ALBATROSS_STRUTIL_H

/* Overwrites s with zeros, then frees it. NULL is allowed. */
void str_wipe_free(char *s);
/* Frees each string of v and then v. NULL is allowed. */
void strv_free(char **v);

#endif

/* Unicode tables of the file-name cleaner; see ucd.h and tools/ucd-gen.py. */
#include <stddef.h>
#include <stdlib.h>

#include "ucd.h"

struct ucd_range {
	unsigned int	 lo, hi;
};

struct ucd_fold {
	unsigned int	 cp;
	const char	*ascii;
};

#include "ucd_tab.h"

#define UCD_NBLANK	(sizeof(ucd_blank_tab) / sizeof(ucd_blank_tab[0]))
#define UCD_NFOLD	(sizeof(ucd_fold_tab) / sizeof(ucd_fold_tab[0]))

const char ucd_version[] = UCD_VERSION;

static int
ucd_cmp_range(const void *key, const void *elt)
{
	unsigned int cp = *(const unsigned int *)key;
	const struct ucd_range *r = elt;

	return cp < r->lo ? -1 : cp > r->hi;
}

static int
ucd_cmp_fold(const void *key, const void *elt)
{
	unsigned int cp = *(const unsigned int *)key;
	const struct ucd_fold *f = elt;

	return cp < f->cp ? -1 : cp > f->cp;
}

int
ucd_blank(unsigned int cp)
{
	return bsearch(&cp, ucd_blank_tab, UCD_NBLANK, sizeof(ucd_blank_tab[0]),
	    ucd_cmp_range) != NULL;
}

const char *
ucd_fold(unsigned int cp)
{
	const struct ucd_fold *f;

	f = bsearch(&cp, ucd_fold_tab, UCD_NFOLD, sizeof(ucd_fold_tab[0]),
	    ucd_cmp_fold);
	return f != NULL ? f->ascii : NULL;
}

int
ucd_blank_range(size_t i, unsigned int *lo, unsigned int *hi)
{
	if (i >= UCD_NBLANK)
		return -1;
	*lo = ucd_blank_tab[i].lo;
	*hi = ucd_blank_tab[i].hi;
	return 0;
}

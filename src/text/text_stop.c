/* text_stop – our Dutch stop-word list: function words and sticky-note filler. */
#include "text/text_stop.h"

#include <stdlib.h>
#include <string.h>

/* Kept sorted (strcmp order, checked by the unit test) so a lookup is a binary search.
 * Written for sticky notes, not for prose: besides articles, pronouns, prepositions,
 * conjunctions and auxiliaries it holds the words people use to frame a thought on a note
 * ("idee", "probleem", "vraag", "hkw") which say nothing about which topic it belongs to. */
const char *const text_stop_words[] = {
    "aan", "al", "alle", "alleen", "allemaal", "als", "altijd", "ander", "andere", "anders",
    "ben", "bent", "beter", "bij", "bijv", "bijvoorbeeld", "binnen", "boven", "bv", "daar",
    "daarbij", "daardoor", "daarna", "daarom", "dan", "dat", "de", "denk", "denken", "deze",
    "die", "dingen", "dit", "doe", "doen", "door", "dus", "echt", "een", "eens", "eerst",
    "eigen", "eigenlijk", "elkaar", "elke", "en", "enz", "er", "erg", "ers", "etc", "even",
    "ga", "gaan", "gaat", "geeft", "geen", "geven", "gewoon", "goed", "goede", "groot", "grote",
    "had", "heb", "hebben", "hebt", "heeft", "heel", "heen", "hem", "het", "hier", "hij", "hkw",
    "hoe", "hoort", "hun", "ieder", "iedere", "iedereen", "iemand", "iets", "ik", "in", "is",
    "ivm", "ja", "jaar", "jaren", "je", "jij", "jou", "jullie", "kan", "keer", "klein",
    "kleine", "komen", "komt", "krijgen", "krijgt", "kun", "kunnen", "kunt", "laat", "lang",
    "langs", "laten", "liggen", "ligt", "maakt", "maar", "maken", "manier", "mbt", "me", "meer",
    "men", "met", "mij", "mijn", "minder", "misschien", "moet", "moeten", "mogelijk", "na",
    "naar", "nee", "niemand", "niet", "niets", "nieuw", "nieuwe", "nl", "nog", "nooit", "nu",
    "oa", "of", "om", "omdat", "onder", "ons", "onze", "ook", "op", "over", "pas", "per",
    "plaats", "probleem", "problemen", "snel", "sommige", "staan", "staat", "steeds", "te",
    "tegen", "terwijl", "toch", "tot", "tussen", "u", "uit", "uw", "vaak", "van", "veel", "via",
    "vind", "vinden", "voor", "vraag", "waar", "waarbij", "waarom", "wat", "we", "weer", "weet",
    "wel", "welke", "werd", "weten", "wie", "wij", "wil", "willen", "wilt", "worden", "wordt",
    "zal", "ze", "zelf", "zich", "zie", "zien", "zij", "zijn", "zit", "zitten", "zo", "zoals",
    "zodat", "zou", "zouden", "zulke",
};
const size_t text_stop_count = sizeof text_stop_words / sizeof text_stop_words[0];

static int cmp_key(const void *a, const void *b)
{
    return strcmp((const char *)a, *(const char *const *)b);
}

int text_stop_is(const char *key, size_t len)
{
    if (len == 0)
        return 1;
    if (key[0] >= '0' && key[0] <= '9')
        return 0;
    if (len == 1)
        return 1;
    char buf[16];
    if (len >= sizeof buf)
        return 0; /* no stop word is that long */
    memcpy(buf, key, len);
    buf[len] = '\0';
    return bsearch(buf, text_stop_words, text_stop_count, sizeof text_stop_words[0], cmp_key) != NULL;
}

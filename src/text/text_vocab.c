/* text_vocab – a small hand-written Dutch government vocabulary: synonyms and abbreviations. */
#include "text/text_vocab.h"

#include <stdlib.h>
#include <string.h>

/* Why a table at all: the stemmer cannot know that "it" and "ict" are one thing, that an
 * "aanbesteding" is a "tender", or that "zzp" and "freelancer" are the same worker. These
 * are the pairs that come up on every wall about government IT; each maps to one
 * canonical word, which is then stemmed like any other. Kept small on purpose: a wrong
 * synonym glues unrelated notes together. Sorted by `from`. */
const text_vocab_entry_t text_vocab[] = {
    {"aanbesteden", "aanbesteding"},
    {"aanbestedingen", "aanbesteding"},
    {"aanbestedingsregels", "aanbesteding"},
    {"aanbesteed", "aanbesteding"},
    {"acict", "toetsing"},
    {"ambtenaar", "personeel"},
    {"ambtenaren", "personeel"},
    {"applicaties", "applicatie"},
    {"apps", "applicatie"},
    {"arbeidsmarktkrapte", "tekort"},
    {"avg", "privacy"},
    {"beloning", "salaris"},
    {"bit", "toetsing"},
    {"budget", "geld"},
    {"budgetten", "geld"},
    {"burger", "inwoner"},
    {"burgers", "inwoner"},
    {"cao", "salaris"},
    {"datadeling", "gegevensdeling"},
    {"datalek", "privacy"},
    {"developer", "ontwikkelaar"},
    {"developers", "ontwikkelaar"},
    {"externen", "inhuur"},
    {"financiering", "geld"},
    {"freelance", "zzp"},
    {"freelancer", "zzp"},
    {"freelancers", "zzp"},
    {"gdpr", "privacy"},
    {"gegevensbescherming", "privacy"},
    {"gemeentelijk", "gemeente"},
    {"gemeentelijke", "gemeente"},
    {"gemeenten", "gemeente"},
    {"gemeentes", "gemeente"},
    {"ingehuurd", "inhuur"},
    {"ingehuurde", "inhuur"},
    {"inhuren", "inhuur"},
    {"inwoners", "inwoner"},
    {"it", "ict"},
    {"kosten", "geld"},
    {"krapte", "tekort"},
    {"leveranciers", "leverancier"},
    {"lonen", "salaris"},
    {"loon", "salaris"},
    {"marktpartij", "leverancier"},
    {"marktpartijen", "leverancier"},
    {"medewerker", "personeel"},
    {"medewerkers", "personeel"},
    {"omgeschoold", "omscholing"},
    {"omscholen", "omscholing"},
    {"opleiden", "opleiding"},
    {"opleidingen", "opleiding"},
    {"overheden", "overheid"},
    {"personeelstekort", "tekort"},
    {"personele", "personeel"},
    {"privacywetgeving", "privacy"},
    {"programmeur", "ontwikkelaar"},
    {"programmeurs", "ontwikkelaar"},
    {"salarisschaal", "salaris"},
    {"salarisschalen", "salaris"},
    {"salarissen", "salaris"},
    {"starters", "starter"},
    {"tekorten", "tekort"},
    {"tender", "aanbesteding"},
    {"tenders", "aanbesteding"},
    {"vacatures", "vacature"},
    {"wetgeving", "wet"},
    {"wetten", "wet"},
    {"zelfstandige", "zzp"},
    {"zelfstandigen", "zzp"},
    {"zijinstromer", "zijinstroom"},
    {"zijinstromers", "zijinstroom"},
    {"zzper", "zzp"},
    {"zzpers", "zzp"},
};
const size_t text_vocab_count = sizeof text_vocab / sizeof text_vocab[0];

static int cmp_entry(const void *a, const void *b)
{
    return strcmp((const char *)a, ((const text_vocab_entry_t *)b)->from);
}

const char *text_vocab_lookup(const char *key, size_t len)
{
    char buf[32];
    if (len == 0 || len >= sizeof buf)
        return NULL;
    memcpy(buf, key, len);
    buf[len] = '\0';
    const text_vocab_entry_t *e = bsearch(buf, text_vocab, text_vocab_count, sizeof text_vocab[0], cmp_entry);
    return e ? e->to : NULL;
}

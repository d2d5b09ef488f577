/* test_csv.c – the CSV reader and writer, and registration import from real form exports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "org/csv.h"
#include "org/registration.h"

static const reg_challenge_t challenges[] = {
    {"gemeentelijke-it", "Moderniseren van de gemeentelijke IT", NULL},
    {"markt-en-overheid", "Slimme IT-samenwerking markt en overheid", NULL},
    {"it-personeel", "Tekort aan IT-personeel", NULL},
};

static reg_options_t options(void)
{
    reg_options_t o = {0};
    o.challenges = challenges;
    o.n_challenges = 3;
    return o;
}

static const reg_issue_t *find_issue(const reg_import_t *imp, long line, reg_reason_t reason)
{
    for (size_t i = 0; i < imp->n_issues; i++)
        if (imp->issues[i].line == line && imp->issues[i].reason == reason)
            return &imp->issues[i];
    return NULL;
}

static const reg_person_t *find_person(const reg_import_t *imp, const char *name)
{
    for (size_t i = 0; i < imp->n_people; i++)
        if (strcmp(imp->people[i].name, name) == 0)
            return &imp->people[i];
    return NULL;
}

/* ---- reader ---- */

static void test_bom_and_semicolon(void **state)
{
    const char *data = "\xEF\xBB\xBFNaam;E-mailadres;Organisatie\r\n"
                       "Anna de Vries;anna@example.nl;\"Gemeente; Utrecht\"\r\n";
    csv_reader_t *r = csv_reader_new(data, strlen(data), NULL);
    csv_row_t row;
    assert_int_equal(csv_reader_delimiter(r), ';');
    assert_true(csv_reader_had_bom(r));
    assert_int_equal(csv_reader_next(r, &row), 1);
    assert_int_equal(row.n_fields, 3);
    assert_string_equal(row.fields[0], "Naam");   /* no BOM glued to the first header */
    assert_int_equal(csv_reader_next(r, &row), 1);
    assert_int_equal(row.line, 2);
    assert_string_equal(row.fields[2], "Gemeente; Utrecht");
    assert_int_equal(csv_reader_next(r, &row), 0);
    csv_reader_free(r);
    /* Detection looks only outside quotes and only at the first line. */
    assert_int_equal(csv_detect_delimiter("\"a;b;c\",d\n1;2;3;4\n", 19), ',');
    assert_int_equal(csv_detect_delimiter("a\tb\tc\n", 6), '\t');
    assert_int_equal(csv_detect_delimiter("Naam\n", 5), ',');
}

static void test_quoted_newlines_and_lines(void **state)
{
    const char *data = "h1,h2\n"             /* line 1 */
                       "a,\"x\ny\"\n"         /* lines 2-3 */
                       "b,\"p\"\"q\"\n"       /* line 4 */
                       "c,\"r\r\ns\"\r\n"     /* lines 5-6 */
                       "\n"                   /* line 7: blank, skipped */
                       "d,\"\"\n"             /* line 8 */
                       "e,f";                 /* line 9, no final newline */
    csv_reader_t *r = csv_reader_new(data, strlen(data), NULL);
    csv_row_t row;
    long lines[] = {1, 2, 4, 5, 8, 9}, ends[] = {1, 3, 4, 6, 8, 9};
    const char *second[] = {"h2", "x\ny", "p\"q", "r\ns", "", "f"};
    for (int i = 0; i < 6; i++) {
        assert_int_equal(csv_reader_next(r, &row), 1);
        assert_int_equal(row.error, 0);
        assert_int_equal(row.line, lines[i]);
        assert_int_equal(row.end_line, ends[i]);
        assert_int_equal(row.n_fields, 2);
        assert_string_equal(row.fields[1], second[i]);
    }
    assert_int_equal(csv_reader_next(r, &row), 0);
    csv_reader_free(r);
}

static void test_bad_rows_stay_local(void **state)
{
    /* Invalid UTF-8 on line 3, a 70,000-byte field on line 4, an unclosed quote from
     * line 6 to the end; lines 2 and 5 survive. */
    size_t big = 70000;
    char *data = malloc(big + 200);
    size_t n = 0;
    n += (size_t)sprintf(data + n, "a,b\nok,1\nbad,\xC3\x28\n");
    n += (size_t)sprintf(data + n, "long,");
    memset(data + n, 'x', big);
    n += big;
    n += (size_t)sprintf(data + n, "\nfine,2\nopen,\"never closed\n");
    csv_reader_t *r = csv_reader_new(data, n, NULL);
    csv_row_t row;
    int expect_err[] = {0, 0, CSV_E_UTF8, CSV_E_FIELD_TOO_LONG, 0, CSV_E_QUOTE};
    long expect_line[] = {1, 2, 3, 4, 5, 6};
    for (int i = 0; i < 6; i++) {
        assert_int_equal(csv_reader_next(r, &row), 1);
        assert_int_equal(row.error, expect_err[i]);
        assert_int_equal(row.line, expect_line[i]);
    }
    assert_int_equal(csv_reader_next(r, &row), 0);
    csv_reader_free(r);
    assert_string_equal(csv_err_code(CSV_E_UTF8), "invalid_utf8");
    /* Too many fields. */
    csv_options_t o = {',', 0, 3, 0};
    r = csv_reader_new("a,b,c,d\n1,2\n", 12, &o);
    assert_int_equal(csv_reader_next(r, &row), 1);
    assert_int_equal(row.error, CSV_E_TOO_MANY_FIELDS);
    assert_int_equal(csv_reader_next(r, &row), 1);
    assert_int_equal(row.error, 0);
    assert_int_equal(row.line, 2);
    csv_reader_free(r);
    free(data);
}

/* ---- writer ---- */

static void test_formula_neutralised(void **state)
{
    csv_buf_t b = {0};
    const char *row[] = {"=HYPERLINK(\"http://x\")", "+31 6 123", "-2+3", "@SUM(A1)", "\tTab", "\rCR",
                         "gewoon", "a,b", "q\"uote", " rand", NULL, "regel\nnieuw"};
    csv_write_row(&b, row, 12, ',');
    assert_string_equal(b.data, "\"'=HYPERLINK(\"\"http://x\"\")\",'+31 6 123,'-2+3,'@SUM(A1),'\tTab,"
                                "\"'\rCR\",gewoon,\"a,b\",\"q\"\"uote\",\" rand\",,\"regel\nnieuw\"\r\n");
    csv_buf_free(&b);
    assert_true(csv_is_formula_like("=1"));
    assert_false(csv_is_formula_like("1=1"));
    assert_false(csv_is_formula_like(""));
    /* With ';' a comma needs no quotes, a semicolon does. */
    csv_write_field(&b, "a,b", ';');
    csv_write_field(&b, "c;d", ';');
    assert_string_equal(b.data, "a,b\"c;d\"");
    csv_buf_free(&b);
}

static void test_round_trip(void **state)
{
    /* Random cells of nasty characters, written then read back: equal, except that a
     * formula-like cell comes back with its guarding apostrophe. */
    static const char *const parts[] = {"a", ",", ";", "\"", "\n", "\r\n", " ", "é", "€", "=", "-", "@", "x y",
                                        "\t", "'"};
    uint64_t st = 7;
    for (int delim_i = 0; delim_i < 2; delim_i++) {
        char delim = delim_i ? ';' : ',';
        char cells[50][4][64];
        csv_buf_t b = {0};
        csv_write_bom(&b);
        for (int i = 0; i < 50; i++) {
            const char *row[4];
            for (int j = 0; j < 4; j++) {
                cells[i][j][0] = 0;
                st = st * 6364136223846793005ull + 1442695040888963407ull;
                int len = (int)((st >> 33) % 6) + (i == 0);   /* header cells never empty */
                for (int k = 0; k < len; k++) {
                    st = st * 6364136223846793005ull + 1442695040888963407ull;
                    strcat(cells[i][j], parts[(st >> 33) % 15]);
                }
                /* A bare "\r" inside is normalised to "\n" by the reader; compare on that. */
                row[j] = cells[i][j];
            }
            if (i == 0)
                for (int j = 0; j < 4; j++)
                    snprintf(cells[0][j], sizeof cells[0][j], "kop%d", j);   /* a header the detector can trust */
            csv_write_row(&b, row, 4, delim);
        }
        csv_reader_t *r = csv_reader_new(b.data, b.len, NULL);
        assert_int_equal(csv_reader_delimiter(r), delim);
        csv_row_t row;
        for (int i = 0; i < 50; i++) {
            assert_int_equal(csv_reader_next(r, &row), 1);
            assert_int_equal(row.error, 0);
            assert_int_equal(row.n_fields, 4);
            for (int j = 0; j < 4; j++) {
                char want[80];
                snprintf(want, sizeof want, "%s%s", csv_is_formula_like(cells[i][j]) ? "'" : "", cells[i][j]);
                /* CRLF inside a cell reads back as LF. */
                char *w = strstr(want, "\r\n");
                while (w) {
                    memmove(w, w + 1, strlen(w));
                    w = strstr(want, "\r\n");
                }
                for (char *q = want; *q; q++)
                    if (*q == '\r')
                        *q = '\n';
                assert_string_equal(row.fields[j], want);
            }
        }
        assert_int_equal(csv_reader_next(r, &row), 0);
        csv_reader_free(r);
        csv_buf_free(&b);
    }
}

/* ---- registrations ---- */

static void test_header_guesses(void **state)
{
    reg_mapping_t m;
    const char *google[] = {"Tijdstempel", "E-mailadres", "Volledige naam", "Naam organisatie", "Functie",
                            "Waarom wil je meedoen? (motivatie)", "Eerste keuze challenge",
                            "Tweede keuze challenge", "Ik wil teamcaptain zijn", "Tijdbewaker?"};
    reg_mapping_guess(&m, google, 10);
    int want[REG_F_COUNT] = {[REG_F_NAME] = 2, [REG_F_FIRST_NAME] = -1, [REG_F_LAST_NAME] = -1,
                             [REG_F_EMAIL] = 1, [REG_F_ORGANISATION] = 3, [REG_F_ROLE] = 4,
                             [REG_F_MOTIVATION] = 5, [REG_F_CHOICE1] = 6, [REG_F_CHOICE2] = 7,
                             [REG_F_CAPTAIN] = 8, [REG_F_TIMEKEEPER] = 9, [REG_F_TIMESTAMP] = 0};
    for (int f = 0; f < REG_F_COUNT; f++)
        assert_int_equal(m.column[f], want[f]);
    assert_int_equal(m.score[REG_F_EMAIL], 100);
    assert_true(m.score[REG_F_MOTIVATION] > 0 && m.score[REG_F_MOTIVATION] < 100);

    const char *eventbrite[] = {"Order #", "Order Date", "First Name", "Last Name", "Email", "Quantity",
                                "Ticket Type", "Attendee #", "Job Title", "Company"};
    reg_mapping_guess(&m, eventbrite, 10);
    assert_int_equal(m.column[REG_F_TIMESTAMP], 1);
    assert_int_equal(m.column[REG_F_FIRST_NAME], 2);
    assert_int_equal(m.column[REG_F_LAST_NAME], 3);
    assert_int_equal(m.column[REG_F_EMAIL], 4);
    assert_int_equal(m.column[REG_F_ROLE], 8);
    assert_int_equal(m.column[REG_F_ORGANISATION], 9);
    assert_int_equal(m.column[REG_F_NAME], -1);

    const char *msforms[] = {"ID", "Begintijd", "Tijd van voltooien", "E-mail", "Naam", "Voornaam", "Achternaam",
                             "Organisatie", "Rol", "Voorkeur challenge 1", "Voorkeur challenge 2"};
    reg_mapping_guess(&m, msforms, 11);
    assert_int_equal(m.column[REG_F_TIMESTAMP], 2);   /* completion beats start */
    assert_int_equal(m.column[REG_F_EMAIL], 3);
    assert_int_equal(m.column[REG_F_NAME], 4);
    assert_int_equal(m.column[REG_F_FIRST_NAME], 5);
    assert_int_equal(m.column[REG_F_LAST_NAME], 6);
    assert_int_equal(m.column[REG_F_ROLE], 8);
    assert_int_equal(m.column[REG_F_CHOICE1], 9);
    assert_int_equal(m.column[REG_F_CHOICE2], 10);
    assert_string_equal(reg_field_code(REG_F_CHOICE2), "choice2");

    const char *combined[] = {"Naam", "Wil je teamcaptain of tijdbewaker zijn?"};
    reg_mapping_guess(&m, combined, 2);
    assert_int_equal(m.column[REG_F_CAPTAIN], 1);
    assert_int_equal(m.column[REG_F_TIMEKEEPER], 1);
}

static void test_choice_matching(void **state)
{
    assert_int_equal(reg_match_choice("", challenges, 3), REG_CHOICE_NONE);
    assert_int_equal(reg_match_choice("  ", challenges, 3), REG_CHOICE_NONE);
    assert_int_equal(reg_match_choice("1", challenges, 3), 0);
    assert_int_equal(reg_match_choice("Challenge 2", challenges, 3), 1);
    assert_int_equal(reg_match_choice("Uitdaging 3: tekort aan IT-personeel", challenges, 3), 2);
    assert_int_equal(reg_match_choice("Tekort aan IT-personeel", challenges, 3), 2);
    assert_int_equal(reg_match_choice("TEKORT AAN IT PERSONEEL", challenges, 3), 2);
    assert_int_equal(reg_match_choice("Slimme IT-samenwerking márkt en óverheid", challenges, 3), 1);
    assert_int_equal(reg_match_choice("Moderniseren", challenges, 3), 0);
    assert_int_equal(reg_match_choice("gemeentelijke-it", challenges, 3), 0);
    assert_int_equal(reg_match_choice("Challenge 9", challenges, 3), REG_CHOICE_UNKNOWN);
    assert_int_equal(reg_match_choice("Iets anders", challenges, 3), REG_CHOICE_UNKNOWN);
    assert_int_equal(reg_match_choice("IT", challenges, 3), REG_CHOICE_UNKNOWN);   /* too short to guess */
}

/* Every entry of the table of the form tools' headers, each as the only header. */
static void test_header_table(void **state)
{
    size_t n;
    const reg_header_t *t = reg_header_table(&n);
    assert_true(n >= 90);
    const char *tools[] = {"google", "microsoft", "eventbrite", "limesurvey", "typeform", "jotform"};
    for (size_t k = 0; k < 6; k++) {
        size_t seen = 0;
        for (size_t i = 0; i < n; i++)
            seen += strcmp(t[i].tool, tools[k]) == 0;
        assert_true(seen >= 5);
    }
    for (size_t i = 0; i < n; i++) {
        reg_mapping_t m;
        const char *h[] = {t[i].header};
        reg_mapping_guess(&m, h, 1);
        int got = REG_F_COUNT;
        for (int f = 0; f < REG_F_COUNT; f++)
            if (m.column[f] == 0) {
                got = f;
                break;
            }
        if (got != (int)t[i].field)
            fprintf(stderr, "%s \"%s\": read as %s, expected %s\n", t[i].tool, t[i].header,
                        reg_field_code((reg_field_t)got), reg_field_code(t[i].field));
        assert_int_equal(got, t[i].field);
    }
    /* A whole row: the question texts of the issue beside the name and address columns. */
    const char *google[] = {"Tijdstempel", "E-mailadres", "Naam", "Organisatie",
                            "Wat is je rol binnen je organisatie?", "Wat motiveert je om mee te doen?",
                            "Aan welke challenge wil je het liefst werken?", "Tweede keuze"};
    reg_mapping_t m;
    reg_mapping_guess(&m, google, 8);
    assert_int_equal(m.column[REG_F_ORGANISATION], 3);
    assert_int_equal(m.column[REG_F_ROLE], 4);
    assert_int_equal(m.column[REG_F_MOTIVATION], 5);
    assert_int_equal(m.column[REG_F_CHOICE1], 6);
    assert_int_equal(m.column[REG_F_CHOICE2], 7);
    const char *ms[] = {"Id", "Begintijd", "Tijd van voltooien", "E-mail", "Naam", "Voorkeur challenge", "Functie",
                        "Motivatie"};
    reg_mapping_guess(&m, ms, 8);
    assert_int_equal(m.column[REG_F_CHOICE1], 5);
    assert_int_equal(m.column[REG_F_CHOICE2], -1);
    assert_int_equal(m.column[REG_F_TIMESTAMP], 2);
}

/* The answers a form builder types, against the workbook's titles (with "tussen"). */
static void test_choice_tolerant(void **state)
{
    static const reg_challenge_t ch[] = {
        {"c1", "Moderniseren van de gemeentelijke IT", "Modernising municipal IT"},
        {"c2", "Slimme IT-samenwerking tussen markt en overheid", "Smart IT cooperation between market and government"},
        {"c3", "Tekort aan IT-personeel", "Shortage of IT staff"},
    };
    const struct { const char *answer; int want; } cases[] = {
        {"Slimme IT-samenwerking markt en overheid", 1}, {"slimme it samenwerking markt overheid", 1},
        {"SLIMME IT-SAMENWERKING TUSSEN MARKT EN OVERHEID", 1}, {"Slimme IT samenwerking", 1},
        {"Moderniseren gemeentelijke IT", 0}, {"moderniseren", 0}, {"Modernising municipal IT", 0},
        {"Uitdaging 3: Tekort aan IT-personeel", 2}, {"IT-personeel", 2}, {"IT staff shortage", 2},
        {"Tekort aan IT personeel", 2}, {"Challenge 2", 1}, {"2", 1}, {"c3", 2}, {"Thema 1", 0},
        {"Tékort aan IT-persóneel!", 2}, {"Maakt me niet uit", REG_CHOICE_UNKNOWN},
        {"IT", REG_CHOICE_UNKNOWN}, {"markt", 1}, {"de", REG_CHOICE_UNKNOWN}, {"", REG_CHOICE_NONE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int got = reg_match_choice(cases[i].answer, ch, 3);
        if (got != cases[i].want)
            fprintf(stderr, "\"%s\": %d, expected %d\n", cases[i].answer, got, cases[i].want);
        assert_int_equal(got, cases[i].want);
    }
    /* Per distinct answer, with counts; the organiser's choice wins and can ignore. */
    const char *data = "Naam;Eerste keuze;Tweede keuze\n"
                       "A;Slimme IT-samenwerking markt en overheid;Maakt me niet uit\n"
                       "B;slimme it-samenwerking markt en overheid;\n"
                       "C;Digitale inclusie;IT-personeel\n"
                       "D;Maakt me niet uit;\n"
                       "E;;\n";
    reg_options_t o = {0};
    o.challenges = ch;
    o.n_challenges = 3;
    reg_import_t imp;
    assert_int_equal(reg_import(data, strlen(data), &o, &imp), 0);
    assert_int_equal(imp.n_answers, 4);
    assert_int_equal(imp.answers[0].count, 2);   /* most frequent first, then by text */
    assert_string_equal(imp.answers[1].key, "slimme it samenwerking markt en overheid");
    assert_int_equal(imp.answers[1].count, 2);
    assert_int_equal(imp.answers[1].choice, 1);
    assert_int_equal(imp.answers[3].count, 1);
    const reg_answer_t *mm = NULL;
    for (size_t i = 0; i < imp.n_answers; i++)
        if (strcmp(imp.answers[i].key, "maakt me niet uit") == 0)
            mm = &imp.answers[i];
    assert_non_null(mm);
    assert_int_equal(mm->count, 2);
    assert_int_equal(mm->first, 1);
    assert_int_equal(mm->second, 1);
    assert_int_equal(mm->choice, REG_CHOICE_UNKNOWN);
    assert_int_equal(imp.no_choice, 2);   /* D and E */
    const reg_person_t *c = find_person(&imp, "C");
    assert_int_equal(c->choice1, REG_CHOICE_NONE);   /* a lone second choice stays second */
    assert_int_equal(c->choice2, 2);
    reg_import_free(&imp);
    reg_override_t ov[] = {{"Digitale inclusie", 0}, {"maakt me NIET uit", REG_CHOICE_NONE}};
    o.overrides = ov;
    o.n_overrides = 2;
    assert_int_equal(reg_import(data, strlen(data), &o, &imp), 0);
    assert_int_equal(find_person(&imp, "C")->choice1, 0);
    assert_null(find_issue(&imp, 5, REG_R_UNKNOWN_CHOICE));
    assert_int_equal(imp.no_choice, 2);
    for (size_t i = 0; i < imp.n_answers; i++)
        assert_true(imp.answers[i].choice != REG_CHOICE_UNKNOWN);
    reg_import_free(&imp);
}

static void test_email_and_willing(void **state)
{
    /* RFC 6531: internationalised addresses. */
    assert_true(reg_email_valid("björn.smit@gemeente-ede.nl"));
    assert_true(reg_email_valid("olaf.şahin@uwv.nl"));
    assert_true(reg_email_valid("测试@例子.公司"));
    char *a = reg_email_normalise("Bjo\xCC\x88rn.Smit@Gemeente-Ede.NL"), *b = reg_email_normalise("björn.smit@gemeente-ede.nl");
    assert_string_equal(a, b);
    free(a);
    free(b);
    assert_true(reg_email_valid("anna@example.nl"));
    assert_true(reg_email_valid("a.b+c@sub.minbzk.nl"));
    assert_false(reg_email_valid("anonymous"));
    assert_false(reg_email_valid("jan@"));
    assert_false(reg_email_valid("@x.nl"));
    assert_false(reg_email_valid("jan@@x.nl"));
    assert_false(reg_email_valid("jan@localhost"));
    assert_false(reg_email_valid("jan..x@x.nl"));
    assert_false(reg_email_valid("jan@x..nl"));
    assert_false(reg_email_valid("jan x@x.nl"));
    assert_false(reg_email_valid("jan@-x.nl"));
    assert_false(reg_email_valid("jan@x.123"));
    assert_true(reg_parse_willing("Ja", REG_F_CAPTAIN));
    assert_true(reg_parse_willing("ja, graag", REG_F_CAPTAIN));
    assert_true(reg_parse_willing("Yes", REG_F_TIMEKEEPER));
    assert_false(reg_parse_willing("Nee", REG_F_CAPTAIN));
    assert_false(reg_parse_willing("nee, liever niet", REG_F_CAPTAIN));
    assert_false(reg_parse_willing("", REG_F_CAPTAIN));
    assert_true(reg_parse_willing("Teamcaptain", REG_F_CAPTAIN));
    assert_false(reg_parse_willing("Teamcaptain", REG_F_TIMEKEEPER));
    assert_true(reg_parse_willing("Tijdbewaker", REG_F_TIMEKEEPER));
}

static void test_import_google_nl(void **state)
{
    const char *data =
        "\xEF\xBB\xBFTijdstempel;E-mailadres;Volledige naam;Organisatie;Functie;Motivatie;Eerste keuze;Tweede keuze;"
        "Ik wil teamcaptain zijn\r\n"
        "13-2-2024 10:15:32;anna@example.nl;Anna de Vries;Gemeente Utrecht;Adviseur;\"Ik wil\r\nleren\";1;"
        "Challenge 3;Ja\r\n"
        "13-2-2024 10:16:00;geen-mail;Bert Jansen;UWV;Developer;;Tekort aan IT-personeel;2;Nee\r\n"
        "13-2-2024 10:17:00;carla@example.nl;;RVO;;;;;\r\n"
        "13-2-2024 10:18:00;dirk@example.nl;Dirk Smit;BZK;;;Challenge 7;1;\r\n"
        "14-2-2024 09:00:00;ANNA@Example.NL;Anna de Vries;Gemeente Utrecht;Adviseur;Tweede poging;2;2;Ja\r\n";
    reg_options_t o = options();
    reg_import_t imp;
    assert_int_equal(reg_import(data, strlen(data), &o, &imp), 0);
    assert_int_equal(imp.delimiter, ';');
    assert_true(imp.had_bom);
    assert_int_equal(imp.rows, 5);
    assert_int_equal(imp.n_people, 3);     /* Bert, Dirk, Anna (latest) */
    assert_int_equal(imp.replaced, 1);
    assert_int_equal(imp.rejected, 1);     /* Carla: no name */
    assert_non_null(find_issue(&imp, 5, REG_R_MISSING_NAME));
    /* Bert's address is not an address: kept without one, warned. */
    const reg_person_t *bert = find_person(&imp, "Bert Jansen");
    assert_non_null(bert);
    assert_null(bert->email);
    assert_int_equal(bert->choice1, 2);
    assert_int_equal(bert->choice2, 1);
    assert_false(bert->willing_captain);
    const reg_issue_t *is = find_issue(&imp, 4, REG_R_INVALID_EMAIL);
    assert_non_null(is);
    assert_string_equal(is->value, "geen-mail");
    assert_false(reg_reason_rejects(is->reason));
    /* Dirk's first choice is unknown: dropped; his second stays a second choice (figures
     * of "first choice" count only real first choices). */
    const reg_person_t *dirk = find_person(&imp, "Dirk Smit");
    assert_int_equal(dirk->choice1, REG_CHOICE_NONE);
    assert_int_equal(dirk->choice2, 0);
    assert_non_null(find_issue(&imp, 6, REG_R_UNKNOWN_CHOICE));
    /* Anna registered twice: the later one (line 7) counts, the first (lines 2-3) is replaced. */
    const reg_person_t *anna = find_person(&imp, "Anna de Vries");
    assert_string_equal(anna->email, "anna@example.nl");
    assert_string_equal(anna->motivation, "Tweede poging");
    assert_int_equal(anna->line, 7);
    assert_int_equal(anna->choice1, 1);
    assert_int_equal(anna->choice2, REG_CHOICE_NONE);   /* same as first */
    assert_non_null(find_issue(&imp, 7, REG_R_SAME_CHOICE));
    is = find_issue(&imp, 2, REG_R_DUPLICATE_REPLACED);
    assert_non_null(is);
    assert_int_equal(is->other_line, 7);
    /* Issues come sorted by line. */
    for (size_t i = 1; i < imp.n_issues; i++)
        assert_true(imp.issues[i - 1].line <= imp.issues[i].line);
    reg_import_free(&imp);
}

static void test_duplicates_by_timestamp(void **state)
{
    /* The later row carries the earlier timestamp (an export sorted by name): the row
     * with the later timestamp wins. Without timestamps the later row wins. */
    const char *data = "Timestamp,Email,Name,Organisation\n"
                       "2/13/2024 14:00:00,x@example.org,Xandra Bos,Newer\n"
                       "2/13/2024 9:00:00,X@EXAMPLE.ORG,xandra  bos,Older\n"
                       "2/13/2024 9:30:00,y@example.org,Yusuf Kaya,Y1\n"
                       "2/13/2024 9:31:00,y@example.org,Yusuf Kaya,Y2\n";
    reg_options_t o = options();
    reg_import_t imp;
    assert_int_equal(reg_import(data, strlen(data), &o, &imp), 0);
    assert_int_equal(imp.n_people, 2);
    assert_int_equal(imp.replaced, 2);
    assert_int_equal(imp.shared_email, 0);
    assert_string_equal(find_person(&imp, "Xandra Bos")->organisation, "Newer");
    assert_null(find_person(&imp, "xandra  bos"));
    assert_string_equal(find_person(&imp, "Yusuf Kaya")->organisation, "Y2");
    const reg_issue_t *is = find_issue(&imp, 3, REG_R_DUPLICATE_REPLACED);
    assert_non_null(is);
    assert_int_equal(is->other_line, 2);
    reg_import_free(&imp);
    /* 12-hour clock: 1 PM is after 11 AM. */
    const char *ampm = "Timestamp,Email,Name,Organisation\n"
                       "2/13/2024 1:00:00 PM,z@example.org,Zoë,Afternoon\n"
                       "2/13/2024 11:00:00 AM,z@example.org,Zoe,Morning\n";
    assert_int_equal(reg_import(ampm, strlen(ampm), &o, &imp), 0);
    assert_int_equal(imp.n_people, 1);
    assert_string_equal(imp.people[0].organisation, "Afternoon");
    reg_import_free(&imp);
    /* One address under two different names: two people, both flagged, never merged. */
    const char *plain = "Naam,E-mail\nEen,p@example.org\nTwee,p@example.org\nDrie,ongeldig\nVier,ongeldig\n";
    assert_int_equal(reg_import(plain, strlen(plain), &o, &imp), 0);
    assert_int_equal(imp.n_people, 4);
    assert_int_equal(imp.replaced, 0);
    assert_int_equal(imp.shared_email, 2);
    is = find_issue(&imp, 2, REG_R_SHARED_EMAIL);
    assert_non_null(is);
    assert_int_equal(is->other_line, 3);
    is = find_issue(&imp, 3, REG_R_SHARED_EMAIL);
    assert_non_null(is);
    assert_int_equal(is->other_line, 2);
    assert_non_null(find_person(&imp, "Een"));
    assert_non_null(find_person(&imp, "Twee"));
    reg_import_free(&imp);
}

static void test_missing_columns(void **state)
{
    reg_options_t o = options();
    reg_import_t imp;
    /* No e-mail column: imported without addresses. Short rows: missing cells are empty. */
    const char *noemail = "Voornaam,Achternaam,Organisatie\nAnna,Vries,BZK\nBert\n,\n";
    assert_int_equal(reg_import(noemail, strlen(noemail), &o, &imp), 0);
    assert_int_equal(imp.mapping.column[REG_F_EMAIL], -1);
    assert_int_equal(imp.n_people, 2);
    assert_string_equal(imp.people[0].name, "Anna Vries");
    assert_string_equal(imp.people[1].name, "Bert");
    assert_string_equal(imp.people[1].organisation, "");
    assert_non_null(find_issue(&imp, 4, REG_R_MISSING_NAME));
    reg_import_free(&imp);
    /* No name column at all: the organiser must map one. */
    const char *noname = "E-mailadres,Organisatie\na@example.nl,BZK\n";
    assert_int_equal(reg_import(noname, strlen(noname), &o, &imp), REG_E_NO_NAME_COLUMN);
    assert_string_equal(reg_err_code(REG_E_NO_NAME_COLUMN), "import_no_name_column");
    assert_int_equal(imp.n_people, 0);
    /* ... which an override does. */
    reg_mapping_t m;
    reg_mapping_clear(&m);
    m.column[REG_F_NAME] = 1;
    o.mapping = &m;
    assert_int_equal(reg_import(noname, strlen(noname), &o, &imp), 0);
    assert_string_equal(imp.people[0].name, "BZK");
    reg_import_free(&imp);
    m.column[REG_F_EMAIL] = 5;
    assert_int_equal(reg_import(noname, strlen(noname), &o, &imp), REG_E_BAD_MAPPING);
    assert_int_equal(reg_import("", 0, NULL, &imp), REG_E_EMPTY);
    const char *badhdr = "Na\xFF" "am,Email\nA,a@example.nl\n";
    assert_int_equal(reg_import(badhdr, strlen(badhdr), NULL, &imp), REG_E_BAD_HEADER);
    assert_int_equal(reg_import("\xEF\xBB\xBF\r\n", 5, NULL, &imp), REG_E_EMPTY);
}

static void test_invalid_utf8_row(void **state)
{
    const char *data = "Naam,Email\nAnna,a@example.nl\nB\xFFrt,b@example.nl\nCor,c@example.nl\n";
    reg_options_t o = options();
    reg_import_t imp;
    assert_int_equal(reg_import(data, strlen(data), &o, &imp), 0);
    assert_int_equal(imp.n_people, 2);
    assert_int_equal(imp.rejected, 1);
    const reg_issue_t *is = find_issue(&imp, 3, REG_R_INVALID_UTF8);
    assert_non_null(is);
    assert_true(reg_reason_rejects(is->reason));
    assert_string_equal(reg_reason_code(is->reason), "invalid_utf8");
    assert_non_null(strstr(reg_reason_nl(is->reason), "UTF-8"));
    reg_import_free(&imp);
}

static size_t progress_calls, progress_rows, progress_bytes;
static void on_progress(void *ud, size_t rows, size_t done, size_t total)
{
    progress_calls++;
    progress_rows = rows;
    progress_bytes = done;
    assert_true(done <= total);
    assert_ptr_equal(ud, &progress_calls);
}

static void test_ten_thousand_rows(void **state)
{
    /* Written with our own writer (so formula guarding is exercised on the way), with a
     * multi-line motivation on every 7th row and a duplicate on every 100th. */
    csv_buf_t b = {0};
    const char *hdr[] = {"Tijdstempel", "Naam", "E-mailadres", "Organisatie", "Functie", "Motivatie", "Eerste keuze",
                         "Tweede keuze"};
    csv_write_row(&b, hdr, 8, ',');
    long *line = malloc(10000 * sizeof *line);
    long at = 2;
    for (int i = 0; i < 10000; i++) {
        char ts[40], name[40], mail[60], org[40], mot[60], c1[4], c2[4];
        snprintf(ts, sizeof ts, "%d-3-2024 %02d:%02d:%02d", 1 + i / 3600 % 28, i / 3600 % 24, i / 60 % 60, i % 60);
        /* The re-registration writes the name a little differently: still the same person. */
        snprintf(name, sizeof name, i % 100 == 99 ? "Deelnemer  %d" : "Deelnemer %d", i % 100 == 99 ? i - 1 : i);
        snprintf(mail, sizeof mail, "d%d@example.nl", i % 100 == 99 ? i - 1 : i);
        snprintf(org, sizeof org, "=Organisatie %d", i % 97);
        snprintf(mot, sizeof mot, i % 7 == 0 ? "Regel een\nRegel twee, met komma" : "Kort");
        snprintf(c1, sizeof c1, "%d", 1 + i % 3);
        snprintf(c2, sizeof c2, "%d", 1 + (i + 1) % 3);
        const char *row[] = {ts, name, mail, org, "Adviseur", mot, c1, c2};
        csv_write_row(&b, row, 8, ',');
        line[i] = at;
        at += i % 7 == 0 ? 2 : 1;
    }
    reg_options_t o = options();
    o.progress = on_progress;
    o.progress_ud = &progress_calls;
    reg_import_t imp;
    assert_int_equal(reg_import(b.data, b.len, &o, &imp), 0);
    assert_int_equal(imp.rows, 10000);
    assert_int_equal(imp.replaced, 100);
    assert_int_equal(imp.n_people, 9900);
    assert_int_equal(imp.rejected, 0);
    assert_true(progress_calls >= 20);
    assert_int_equal(progress_rows, 10000);
    assert_int_equal(progress_bytes, b.len);
    for (size_t i = 0; i < imp.n_people; i++) {
        int k;
        assert_int_equal(sscanf(imp.people[i].name, "Deelnemer %d", &k), 1);
        int again = strstr(imp.people[i].name, "  ") != NULL;   /* d98 re-registered by row 99, later */
        assert_int_equal(imp.people[i].line, line[k + again]);
        assert_true(imp.people[i].organisation[0] == '\'');   /* the guard came back as text */
        assert_int_equal(imp.people[i].choice1, (k + again) % 3);
        assert_true(k % 100 != 98 || again);
    }
    reg_import_free(&imp);
    free(line);
    csv_buf_free(&b);
}

static void test_preview_and_limits(void **state)
{
    char *data = malloc(10000);
    size_t n = (size_t)sprintf(data, "Naam,Email,Motivatie,Organisatie\n");
    for (int i = 0; i < 5; i++)
        n += (size_t)sprintf(data + n, "P%s,same@example.nl,m,o\n", i % 2 ? "-" : "");   /* one name written two ways */
    char longname[260];
    memset(longname, 'n', 250);
    longname[250] = 0;
    n += (size_t)sprintf(data + n, "%s,l@example.nl,m,o\n", longname);
    n += (size_t)sprintf(data + n, "Lang,k@example.nl,");
    memset(data + n, 'm', 4100);
    n += 4100;
    n += (size_t)sprintf(data + n, ",o\n");
    reg_options_t o = options();
    o.max_rows = 3;
    o.keep_duplicates = true;
    reg_import_t imp;
    assert_int_equal(reg_import(data, n, &o, &imp), 0);
    assert_int_equal(imp.n_people, 3);   /* the preview shows rows as they are */
    assert_int_equal(imp.replaced, 0);
    assert_int_equal(imp.n_headers, 4);
    assert_string_equal(imp.headers[2], "Motivatie");
    reg_import_free(&imp);
    o = options();
    assert_int_equal(reg_import(data, n, &o, &imp), 0);
    assert_int_equal(imp.n_people, 2);   /* P (the last row) and Lang */
    assert_int_equal(imp.replaced, 4);
    assert_int_equal(imp.people[0].line, 6);
    assert_non_null(find_issue(&imp, 7, REG_R_TOO_LONG));
    assert_non_null(find_issue(&imp, 8, REG_R_TRUNCATED));
    const reg_person_t *lang = find_person(&imp, "Lang");
    assert_int_equal(strlen(lang->motivation), 4000);
    reg_import_free(&imp);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bom_and_semicolon),
        cmocka_unit_test(test_quoted_newlines_and_lines),
        cmocka_unit_test(test_bad_rows_stay_local),
        cmocka_unit_test(test_formula_neutralised),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_header_guesses),
        cmocka_unit_test(test_choice_matching),
        cmocka_unit_test(test_header_table),
        cmocka_unit_test(test_choice_tolerant),
        cmocka_unit_test(test_email_and_willing),
        cmocka_unit_test(test_import_google_nl),
        cmocka_unit_test(test_duplicates_by_timestamp),
        cmocka_unit_test(test_missing_columns),
        cmocka_unit_test(test_invalid_utf8_row),
        cmocka_unit_test(test_ten_thousand_rows),
        cmocka_unit_test(test_preview_and_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

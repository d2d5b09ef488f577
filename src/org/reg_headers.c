/* reg_headers.c – the table of the headers six form tools write, Dutch and English (the
 * import's test data; reg_mapping_guess() must read every entry as the field given). */
#include "org/registration.h"

/* What each tool writes (see docs/protocol.md, "POST /api/import"):
 * Google Forms: "Tijdstempel"/"Timestamp", "E-mailadres"/"Email Address" when it collects
 *   addresses, then one column per question, headed by the question text.
 * Microsoft Forms (Excel download): "Id", "Begintijd"/"Start time", "Tijd van voltooien"/
 *   "Completion time", "E-mail", "Naam"/"Name" (the signed-in account), then the questions.
 * Eventbrite attendee report: "Order #", "Order Date", "First Name", "Last Name", "Email",
 *   "Quantity", "Ticket Type", "Attendee #", "Company", "Job Title", then custom questions.
 * LimeSurvey: "Response ID"/"id", "Date submitted"/"submitdate", "Last page", "Start
 *   language", "Seed", then per question its code ("keuze1") or its full text.
 * Typeform: "#", one column per question text, "Start Date (UTC)", "Submit Date (UTC)"/
 *   "Submitted At", "Network ID", "Tags".
 * Jotform: "Submission Date", the questions; a full-name question as "Name" or split in
 *   "First Name"/"Last Name"; "E-mail", "Submission ID", "Submission IP". */
static const reg_header_t reg_headers[] = {
    {"google", "Tijdstempel", REG_F_TIMESTAMP}, {"google", "Timestamp", REG_F_TIMESTAMP},
    {"google", "E-mailadres", REG_F_EMAIL}, {"google", "Email Address", REG_F_EMAIL},
    {"google", "Naam", REG_F_NAME}, {"google", "Wat is je naam?", REG_F_NAME},
    {"google", "Voor- en achternaam", REG_F_NAME}, {"google", "Full name", REG_F_NAME},
    {"google", "Organisatie", REG_F_ORGANISATION}, {"google", "Bij welke organisatie werk je?", REG_F_ORGANISATION},
    {"google", "Wat is je rol binnen je organisatie?", REG_F_ROLE},
    {"google", "What is your role in your organisation?", REG_F_ROLE},
    {"google", "Wat motiveert je om mee te doen?", REG_F_MOTIVATION},
    {"google", "What motivates you to take part?", REG_F_MOTIVATION},
    {"google", "Aan welke challenge wil je het liefst werken?", REG_F_CHOICE1},
    {"google", "Aan welke challenge wil je daarna het liefst werken?", REG_F_CHOICE2},
    {"google", "Which challenge would you most like to work on?", REG_F_CHOICE1},
    {"google", "Which challenge would be your second choice?", REG_F_CHOICE2},
    {"microsoft", "Id", REG_F_COUNT}, {"microsoft", "ID", REG_F_COUNT},
    {"microsoft", "Begintijd", REG_F_TIMESTAMP}, {"microsoft", "Start time", REG_F_TIMESTAMP},
    {"microsoft", "Tijd van voltooien", REG_F_TIMESTAMP}, {"microsoft", "Completion time", REG_F_TIMESTAMP},
    {"microsoft", "E-mail", REG_F_EMAIL}, {"microsoft", "Email", REG_F_EMAIL},
    {"microsoft", "Naam", REG_F_NAME}, {"microsoft", "Name", REG_F_NAME},
    {"microsoft", "Tijdstip van laatste wijziging", REG_F_COUNT}, {"microsoft", "Last modified time", REG_F_COUNT},
    {"microsoft", "Voorkeur challenge", REG_F_CHOICE1}, {"microsoft", "Voorkeur challenge 2", REG_F_CHOICE2},
    {"microsoft", "Eerste keuze", REG_F_CHOICE1}, {"microsoft", "Tweede keuze", REG_F_CHOICE2},
    {"microsoft", "Functie", REG_F_ROLE}, {"microsoft", "Motivatie", REG_F_MOTIVATION},
    {"eventbrite", "Order #", REG_F_COUNT}, {"eventbrite", "Bestelnummer", REG_F_COUNT},
    {"eventbrite", "Order Date", REG_F_TIMESTAMP}, {"eventbrite", "Besteldatum", REG_F_TIMESTAMP},
    {"eventbrite", "First Name", REG_F_FIRST_NAME}, {"eventbrite", "Voornaam", REG_F_FIRST_NAME},
    {"eventbrite", "Last Name", REG_F_LAST_NAME}, {"eventbrite", "Achternaam", REG_F_LAST_NAME},
    {"eventbrite", "Email", REG_F_EMAIL}, {"eventbrite", "E-mailadres", REG_F_EMAIL},
    {"eventbrite", "Quantity", REG_F_COUNT}, {"eventbrite", "Aantal", REG_F_COUNT},
    {"eventbrite", "Ticket Type", REG_F_COUNT}, {"eventbrite", "Attendee #", REG_F_COUNT},
    {"eventbrite", "Attendee Status", REG_F_COUNT},
    {"eventbrite", "Company", REG_F_ORGANISATION}, {"eventbrite", "Bedrijf", REG_F_ORGANISATION},
    {"eventbrite", "Job Title", REG_F_ROLE}, {"eventbrite", "Functietitel", REG_F_ROLE},
    {"limesurvey", "Response ID", REG_F_COUNT}, {"limesurvey", "id", REG_F_COUNT},
    {"limesurvey", "Date submitted", REG_F_TIMESTAMP}, {"limesurvey", "submitdate", REG_F_TIMESTAMP},
    {"limesurvey", "Datum verstuurd", REG_F_TIMESTAMP}, {"limesurvey", "Last page", REG_F_COUNT},
    {"limesurvey", "lastpage", REG_F_COUNT}, {"limesurvey", "Start language", REG_F_COUNT},
    {"limesurvey", "startlanguage", REG_F_COUNT}, {"limesurvey", "Seed", REG_F_COUNT},
    {"limesurvey", "naam", REG_F_NAME}, {"limesurvey", "email", REG_F_EMAIL},
    {"limesurvey", "organisatie", REG_F_ORGANISATION}, {"limesurvey", "functie", REG_F_ROLE},
    {"limesurvey", "motivatie", REG_F_MOTIVATION}, {"limesurvey", "keuze1", REG_F_CHOICE1},
    {"limesurvey", "keuze2", REG_F_CHOICE2},
    {"limesurvey", "Rangschik de challenges [Rang 1]", REG_F_CHOICE1},
    {"limesurvey", "Rangschik de challenges [Rang 2]", REG_F_CHOICE2},
    {"limesurvey", "Rank the challenges [Rank 1]", REG_F_CHOICE1},
    {"limesurvey", "Rank the challenges [Rank 2]", REG_F_CHOICE2},
    {"typeform", "#", REG_F_COUNT}, {"typeform", "Submitted At", REG_F_TIMESTAMP},
    {"typeform", "Submit Date (UTC)", REG_F_TIMESTAMP}, {"typeform", "Start Date (UTC)", REG_F_TIMESTAMP},
    {"typeform", "Network ID", REG_F_COUNT}, {"typeform", "Tags", REG_F_COUNT},
    {"typeform", "First name", REG_F_FIRST_NAME}, {"typeform", "Last name", REG_F_LAST_NAME},
    {"typeform", "Company", REG_F_ORGANISATION},
    {"typeform", "Wat is je e-mailadres?", REG_F_EMAIL},
    {"jotform", "Submission Date", REG_F_TIMESTAMP}, {"jotform", "Name", REG_F_NAME},
    {"jotform", "First Name", REG_F_FIRST_NAME}, {"jotform", "Last Name", REG_F_LAST_NAME},
    {"jotform", "E-mail", REG_F_EMAIL}, {"jotform", "Submission ID", REG_F_COUNT},
    {"jotform", "Submission IP", REG_F_COUNT},
};

const reg_header_t *reg_header_table(size_t *n)
{
    *n = sizeof reg_headers / sizeof reg_headers[0];
    return reg_headers;
}

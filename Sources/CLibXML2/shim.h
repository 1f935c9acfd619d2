#ifndef BULKRA_LIBXML2_SHIM_H
#define BULKRA_LIBXML2_SHIM_H
// libxml2 for workbooks: the push (SAX2) parser that reads worksheets as they are inflated, and the streaming writer.
// Debian's libxml2 is built with ICU, whose headers clash with Foundation's; nothing here needs ICU.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlwriter.h>
#endif

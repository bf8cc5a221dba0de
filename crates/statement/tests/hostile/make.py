#!/usr/bin/env python3
"""Writes the hostile XLSX files the statement reader must refuse in bounded memory.

Each is a small, well-formed ZIP whose content lies about itself. Run from this folder;
the outputs are committed (tests read them, this script documents how they were made).
"""
import zipfile

CT = """<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"""
WB = """<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WBRELS = """<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"""
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def sheet(cells):
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>{cells}</sheetData></worksheet>'


def book(name, sheet_xml, shared):
    with zipfile.ZipFile(name, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", CT)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WB)
        z.writestr("xl/_rels/workbook.xml.rels", WBRELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        z.writestr("xl/sharedStrings.xml", shared)


ONE = f'<?xml version="1.0" encoding="UTF-8"?><sst {NS} count="1" uniqueCount="1"><si><t>x</t></si></sst>'
# 1. Ten billion shared strings claimed: the reader would reserve 240 GB for them.
book("shared_strings_claim.xlsx", sheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'),
     f'<?xml version="1.0" encoding="UTF-8"?><sst {NS} count="10000000000" uniqueCount="10000000000"><si><t>x</t></si></sst>')
# 2. Two cells at opposite corners of the sheet: a whole-sheet range is 17 billion cells.
book("far_corners.xlsx", sheet('<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'), ONE)
# 3. A sheet that unpacks to 300 MB of spaces from a few hundred KB.
book("bomb.xlsx", sheet(" " * (300 * 1024 * 1024)), ONE)

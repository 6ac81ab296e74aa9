/**
 * A strict RFC 4180 reader for the tests (no CSV library is installed): records end with CRLF (a final
 * CRLF is optional); a quoted field may hold commas, CR, LF and doubled quotes; a quote anywhere else
 * is an error. Strictness is the point: it proves the writer quotes exactly what it must.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`CSV: ${why} at offset ${i}`);
  };
  while (i < text.length) {
    if (text[i] === '"') {
      if (field !== '') fail('a quote inside an unquoted field');
      i++;
      for (;;) {
        if (i >= text.length) fail('an unterminated quoted field');
        const c = text[i];
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text.charAt(i);
        i++;
      }
      const next = text[i];
      if (next !== undefined && next !== ',' && next !== '\r') fail('text after a closing quote');
      continue;
    }
    const c = text[i];
    if (c === ',') {
      record.push(field);
      field = '';
      i++;
    } else if (c === '\r') {
      if (text[i + 1] !== '\n') fail('a CR outside quotes not followed by LF');
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 2;
    } else if (c === '\n') {
      fail('a bare LF outside quotes');
    } else {
      field += text.charAt(i);
      i++;
    }
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

/* evs-prophesee-header.c
 *
 * Copyright 2026 The Evscope authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 *
 * This program is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
 * GNU General Public License for more details.
 *
 * You should have received a copy of the GNU General Public License
 * along with this program.  If not, see <http://www.gnu.org/licenses/>.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "evs-prophesee-header"

#include "config.h"

#include "evs-prophesee-header.h"
#include "evs-error.h"

#include <string.h>

/* Refuse absurd headers in hostile files. */
#define MAX_HEADER_BYTES (1024 * 1024)

/**
 * evs_prophesee_header_parse:
 * @source: positioned at the start of the file
 * @info: receives the header entries, in file order (a repeated key keeps the
 *   last value)
 * @header_size: (out): bytes consumed by the header
 *
 * Parses the `% key value` header shared by RAW and DAT files, as OpenEB's
 * GenericHeader does: a line is `'%' ' ' key value…` with the value's runs of
 * blanks folded to one space; `% end` ends the header and is consumed; a line
 * not starting with “% ” ends it and is not consumed.  On return @source is
 * positioned just after the header.
 */
gboolean
evs_prophesee_header_parse (EvsFileSource     *source,
                            EvsRecordingInfo  *info,
                            guint64           *header_size,
                            GError           **error)
{
  guint64 start = evs_file_source_tell (source);

  for (;;)
    {
      const guint8 *data;
      const guint8 *nl;
      gsize avail;
      gsize line_len;
      g_autofree char *line = NULL;
      g_auto(GStrv) tokens = NULL;
      g_autoptr(GString) value = NULL;
      guint first;

      if (!evs_file_source_fill (source, 2, error))
        return FALSE;
      data = evs_file_source_peek (source, &avail);
      if (avail < 2 || data[0] != '%' || data[1] != ' ')
        break;

      if (evs_file_source_tell (source) - start > MAX_HEADER_BYTES)
        {
          g_set_error (error, EVS_ERROR, EVS_ERROR_CORRUPT,
                       "The header of “%s” is longer than %d bytes (at byte %" G_GUINT64_FORMAT ")",
                       evs_file_source_get_path (source), MAX_HEADER_BYTES,
                       evs_file_source_tell (source));
          return FALSE;
        }

      nl = memchr (data, '\n', avail);
      if (nl == NULL)
        {
          /* A header line longer than the buffer, or the file ends in it */
          if (!evs_file_source_fill (source, MIN (avail + 65536, (gsize) MAX_HEADER_BYTES), error))
            return FALSE;
          data = evs_file_source_peek (source, &avail);
          nl = memchr (data, '\n', avail);
          if (nl == NULL)
            {
              g_set_error (error, EVS_ERROR, EVS_ERROR_TRUNCATED,
                           "The header of “%s” ends inside a line at byte %" G_GUINT64_FORMAT,
                           evs_file_source_get_path (source),
                           evs_file_source_tell (source) + avail);
              return FALSE;
            }
        }

      line_len = (gsize) (nl - data);
      line = g_strndup ((const char *) data + 2, line_len - 2);
      evs_file_source_consume (source, line_len + 1);

      /* Keep printable text only: a binary byte in a header is not ours to show */
      for (char *c = line; *c != '\0'; c++)
        if ((guchar) *c < 0x20 && *c != '\t')
          *c = ' ';

      tokens = g_strsplit_set (line, " \t\r", -1);
      for (first = 0; tokens[first] != NULL && tokens[first][0] == '\0'; first++)
        ;
      if (tokens[first] == NULL)
        continue;

      if (strcmp (tokens[first], "end") == 0)
        break;

      value = g_string_new (NULL);
      for (guint i = first + 1; tokens[i] != NULL; i++)
        {
          if (tokens[i][0] == '\0')
            continue;
          if (value->len > 0)
            g_string_append_c (value, ' ');
          g_string_append (value, tokens[i]);
        }

      if (!g_utf8_validate (value->str, -1, NULL))
        {
          g_autofree char *valid = g_utf8_make_valid (value->str, -1);

          evs_recording_info_add_header (info, tokens[first], valid);
        }
      else
        evs_recording_info_add_header (info, tokens[first], value->str);
    }

  *header_size = evs_file_source_tell (source) - start;

  return TRUE;
}

/**
 * evs_prophesee_header_format:
 *
 * Returns: (transfer full): one header line, `% key value\n`
 */
char *
evs_prophesee_header_format (const char *key,
                             const char *value)
{
  g_autofree char *clean = g_strdup (value != NULL ? value : "");

  /* A newline in a value would end the header early. */
  g_strdelimit (clean, "\r\n", ' ');

  return g_strdup_printf ("%% %s %s\n", key, clean);
}

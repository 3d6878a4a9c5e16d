/* evs-csv-writer.c
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

#define G_LOG_DOMAIN "evs-csv-writer"

#include "config.h"

#include "evs-writer-private.h"

#include <string.h>

/* CSV as Evscope exports it (ARCHITECTURE.md, `.csv`/`.txt`): provenance
 * comments as “# key value” lines, the header line “t,x,y,p”, then one
 * “t,x,y,p” row per event with t in integer µs and p 0/1.  Rows are
 * formatted by hand into a large buffer: no printf per event. */

#define BLOCK_EVENTS (64 * 1024)
/* "-9223372036854775808,65535,65535,1\n" */
#define MAX_ROW 40

struct _EvsCsvWriter
{
  EvsWriter  parent_instance;
  char      *buffer;
};

G_DEFINE_FINAL_TYPE (EvsCsvWriter, evs_csv_writer, EVS_TYPE_WRITER)

static gboolean
evs_csv_writer_begin (EvsWriter  *writer,
                      GError    **error)
{
  const char * const *comments = _evs_writer_get_comments (writer);
  g_autoptr(GString) header = g_string_new (NULL);

  for (guint i = 0; comments != NULL && comments[i] != NULL; i++)
    {
      gsize start = header->len;

      g_string_append (header, "# ");
      g_string_append (header, comments[i]);
      /* One comment, one line */
      for (gsize k = start; k < header->len; k++)
        if (header->str[k] == '\n' || header->str[k] == '\r')
          header->str[k] = ' ';
      g_string_append_c (header, '\n');
    }
  g_string_append (header, "t,x,y,p\n");

  return _evs_writer_write_bytes (writer, header->str, header->len, error);
}

/* Writes the decimal digits of @v at @p; returns the end. */
static inline char *
put_u64 (char    *p,
         guint64  v)
{
  char tmp[20];
  guint n = 0;

  do
    {
      tmp[n++] = (char) ('0' + v % 10);
      v /= 10;
    }
  while (v != 0);
  while (n > 0)
    *p++ = tmp[--n];
  return p;
}

static inline char *
put_u16 (char    *p,
         guint16  v)
{
  if (v >= 10000)
    *p++ = (char) ('0' + v / 10000);
  if (v >= 1000)
    *p++ = (char) ('0' + v / 1000 % 10);
  if (v >= 100)
    *p++ = (char) ('0' + v / 100 % 10);
  if (v >= 10)
    *p++ = (char) ('0' + v / 10 % 10);
  *p++ = (char) ('0' + v % 10);
  return p;
}

static gboolean
evs_csv_writer_write (EvsWriter            *writer,
                      const EvsEventChunk  *chunk,
                      GError              **error)
{
  EvsCsvWriter *self = (EvsCsvWriter *) writer;

  if (self->buffer == NULL)
    self->buffer = g_malloc (BLOCK_EVENTS * MAX_ROW);

  for (gsize start = 0; start < chunk->n_events; start += BLOCK_EVENTS)
    {
      gsize n = MIN (BLOCK_EVENTS, chunk->n_events - start);
      char *p = self->buffer;

      for (gsize i = start; i < start + n; i++)
        {
          gint64 t = chunk->t[i];

          if (t < 0)
            {
              *p++ = '-';
              p = put_u64 (p, (guint64) 0 - (guint64) t);
            }
          else
            p = put_u64 (p, (guint64) t);
          *p++ = ',';
          p = put_u16 (p, chunk->x[i]);
          *p++ = ',';
          p = put_u16 (p, chunk->y[i]);
          *p++ = ',';
          *p++ = chunk->p[i] ? '1' : '0';
          *p++ = '\n';
        }

      if (!_evs_writer_write_bytes (writer, self->buffer, p - self->buffer, error))
        return FALSE;
    }

  return TRUE;
}

static void
evs_csv_writer_finalize (GObject *object)
{
  EvsCsvWriter *self = (EvsCsvWriter *) object;

  g_clear_pointer (&self->buffer, g_free);

  G_OBJECT_CLASS (evs_csv_writer_parent_class)->finalize (object);
}

static void
evs_csv_writer_class_init (EvsCsvWriterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  EvsWriterClass *writer_class = EVS_WRITER_CLASS (klass);

  object_class->finalize = evs_csv_writer_finalize;

  writer_class->begin = evs_csv_writer_begin;
  writer_class->write = evs_csv_writer_write;
}

static void
evs_csv_writer_init (EvsCsvWriter *self)
{
}

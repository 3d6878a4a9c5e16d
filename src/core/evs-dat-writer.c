/* evs-dat-writer.c
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

#define G_LOG_DOMAIN "evs-dat-writer"

#include "config.h"

#include "evs-error.h"
#include "evs-prophesee-header.h"
#include "evs-writer-private.h"

#include <string.h>

/* Writes Prophesee DAT as OpenEB's DatWriter does: “% ” header with Width
 * and Height, “% end”, the bytes 00 08, then 8-byte CD records.  Times are
 * stored modulo 2^32 (readers unwrap them), so the first time must be below
 * 2^32 µs and no step forward may reach 2^31 µs: such events are refused
 * rather than read back at other times. */

struct _EvsDatWriter
{
  EvsWriter  parent_instance;
  guint8    *buffer;
  gint64     t_limit;   /* the next time must be below this */
  gint64     t_prev;
};

G_DEFINE_FINAL_TYPE (EvsDatWriter, evs_dat_writer, EVS_TYPE_WRITER)

static gboolean
evs_dat_writer_begin (EvsWriter  *writer,
                      GError    **error)
{
  const EvsRecordingInfo *info = _evs_writer_get_info (writer);
  const char * const *comments = _evs_writer_get_comments (writer);
  g_autoptr(GString) header = g_string_new (NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");
  static const guint8 type_size[2] = { 0, 8 };

  g_string_append (header, "% Data file containing Event2D events.\n");
  g_string_append (header, "% Version 2\n");
  g_string_append_printf (header, "%% Date %s\n", date);
  if (info->width > 0 && info->height > 0)
    {
      g_string_append_printf (header, "%% Height %u\n", info->height);
      g_string_append_printf (header, "%% Width %u\n", info->width);
    }
  for (guint i = 0; comments != NULL && comments[i] != NULL; i++)
    {
      g_autofree char *line = g_strdup_printf ("%% %s\n", comments[i]);

      g_strdelimit (line + 2, "\r\n", ' ');
      line[strlen (line) - 1] = '\n';
      g_string_append (header, line);
    }
  g_string_append (header, "% end\n");

  if (!_evs_writer_write_bytes (writer, header->str, header->len, error))
    return FALSE;

  return _evs_writer_write_bytes (writer, type_size, sizeof type_size, error);
}

static inline void
put_u32_le (guint8  *p,
            guint32  v)
{
  p[0] = v & 0xFF;
  p[1] = (v >> 8) & 0xFF;
  p[2] = (v >> 16) & 0xFF;
  p[3] = (v >> 24) & 0xFF;
}

static gboolean
evs_dat_writer_write (EvsWriter            *writer,
                      const EvsEventChunk  *chunk,
                      GError              **error)
{
  EvsDatWriter *self = (EvsDatWriter *) writer;
  const gsize block = 64 * 1024;
  gint64 limit = self->t_limit;

  if (self->buffer == NULL)
    self->buffer = g_malloc (block * 8);

  for (gsize start = 0; start < chunk->n_events; start += block)
    {
      gsize n = MIN (block, chunk->n_events - start);

      for (gsize i = 0; i < n; i++)
        {
          gsize k = start + i;
          guint8 *rec = self->buffer + i * 8;

          if (G_UNLIKELY (chunk->t[k] >= limit && chunk->t[k] >= 0))
            {
              if (self->t_prev < 0)
                g_set_error (error, EVS_ERROR, EVS_ERROR_UNSUPPORTED,
                             "DAT stores 32-bit times: the first event's time, %" G_GINT64_FORMAT
                             " µs, is past 2^32 µs (71.6 min); export to HDF5, CSV or RAW to "
                             "keep this time base", chunk->t[k]);
              else
                g_set_error (error, EVS_ERROR, EVS_ERROR_UNSUPPORTED,
                             "DAT stores 32-bit times: the step from %" G_GINT64_FORMAT " to %"
                             G_GINT64_FORMAT " µs is 2^31 µs (35.8 min) or more; export to "
                             "HDF5, CSV or RAW instead", self->t_prev, chunk->t[k]);
              return FALSE;
            }
          if (G_UNLIKELY (chunk->t[k] < 0 || chunk->x[k] >= (1 << 14) || chunk->y[k] >= (1 << 14)))
            {
              g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                           "DAT cannot store the event (t=%" G_GINT64_FORMAT ", x=%u, y=%u): "
                           "times must be ≥ 0 and coordinates below 16384",
                           chunk->t[k], chunk->x[k], chunk->y[k]);
              return FALSE;
            }

          self->t_prev = chunk->t[k];
          limit = chunk->t[k] + (G_GINT64_CONSTANT (1) << 31);
          put_u32_le (rec, (guint32) (chunk->t[k] & 0xFFFFFFFF));
          put_u32_le (rec + 4, (guint32) chunk->x[k] | (guint32) chunk->y[k] << 14
                                 | (guint32) (chunk->p[k] & 1) << 28);
        }

      self->t_limit = limit;
      if (!_evs_writer_write_bytes (writer, self->buffer, n * 8, error))
        return FALSE;
    }

  return TRUE;
}

static void
evs_dat_writer_finalize (GObject *object)
{
  EvsDatWriter *self = (EvsDatWriter *) object;

  g_clear_pointer (&self->buffer, g_free);

  G_OBJECT_CLASS (evs_dat_writer_parent_class)->finalize (object);
}

static void
evs_dat_writer_class_init (EvsDatWriterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  EvsWriterClass *writer_class = EVS_WRITER_CLASS (klass);

  object_class->finalize = evs_dat_writer_finalize;

  writer_class->begin = evs_dat_writer_begin;
  writer_class->write = evs_dat_writer_write;
}

static void
evs_dat_writer_init (EvsDatWriter *self)
{
  self->t_limit = G_GINT64_CONSTANT (1) << 32;
  self->t_prev = -1;
}

/* evs-writer.h
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

#pragma once

#include <gio/gio.h>

#include "evs-events.h"
#include "evs-format.h"

G_BEGIN_DECLS

#define EVS_TYPE_WRITER (evs_writer_get_type ())

G_DECLARE_DERIVABLE_TYPE (EvsWriter, evs_writer, EVS, WRITER, GObject)

/**
 * EvsWriterClass:
 * @uses_stream: %TRUE when the base class should open a buffered output
 *   stream on the temporary file (%FALSE for writers that open the
 *   temporary path themselves, like HDF5)
 * @begin: write the file header; the info and comments are available
 * @write: append a chunk of time-sorted events
 * @finish: write trailers and flush; the base class then syncs and renames
 *
 * Writers mirror readers.  The base class writes to a temporary file beside
 * the target and renames it over the target only when everything succeeded;
 * on failure, cancel or dispose without finish the temporary file is removed
 * and an existing target is never touched.
 */
struct _EvsWriterClass
{
  GObjectClass parent_class;

  gboolean uses_stream;

  gboolean (*begin)  (EvsWriter            *self,
                      GError              **error);
  gboolean (*write)  (EvsWriter            *self,
                      const EvsEventChunk  *chunk,
                      GError              **error);
  gboolean (*finish) (EvsWriter            *self,
                      GError              **error);

  /*< private >*/
  gpointer padding[8];
};

EvsWriter              *evs_writer_new                (EvsFormat                 format,
                                                       const char               *path,
                                                       GError                  **error);
gboolean                evs_writer_begin              (EvsWriter                *self,
                                                       const EvsRecordingInfo   *info,
                                                       const char * const       *comments,
                                                       GError                  **error);
gboolean                evs_writer_write              (EvsWriter                *self,
                                                       const EvsEventChunk      *chunk,
                                                       GError                  **error);
gboolean                evs_writer_finish             (EvsWriter                *self,
                                                       GError                  **error);
void                    evs_writer_abort              (EvsWriter                *self);
const char             *evs_writer_get_path           (EvsWriter                *self);
EvsFormat               evs_writer_get_format         (EvsWriter                *self);
guint64                 evs_writer_get_n_events       (EvsWriter                *self);

/* For subclasses */
GOutputStream          *_evs_writer_get_stream        (EvsWriter                *self);
const char             *_evs_writer_get_temp_path     (EvsWriter                *self);
const EvsRecordingInfo *_evs_writer_get_info          (EvsWriter                *self);
const char * const     *_evs_writer_get_comments      (EvsWriter                *self);
gboolean                _evs_writer_write_bytes       (EvsWriter                *self,
                                                       const void               *data,
                                                       gsize                     len,
                                                       GError                  **error);

G_END_DECLS

/* evs-file-source.h
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

G_BEGIN_DECLS

/**
 * EvsFileSource:
 *
 * Large sequential reads of a file opened read-only, into one reused buffer.
 * Readers peek at the buffered bytes, consume what they decoded and refill;
 * the file offset of every byte is known so that errors can name it.
 */
typedef struct _EvsFileSource EvsFileSource;

#define EVS_FILE_SOURCE_DEFAULT_BUFFER (4 * 1024 * 1024)

EvsFileSource *evs_file_source_open       (const char     *path,
                                           GError        **error);
void           evs_file_source_free       (EvsFileSource  *self);
guint64        evs_file_source_get_size   (EvsFileSource  *self);
const char    *evs_file_source_get_path   (EvsFileSource  *self);
gboolean       evs_file_source_seek       (EvsFileSource  *self,
                                           guint64         offset,
                                           GError        **error);
gboolean       evs_file_source_fill       (EvsFileSource  *self,
                                           gsize           min_bytes,
                                           GError        **error);
void           evs_file_source_set_read_size (EvsFileSource *self,
                                              gsize          read_size);
const guint8  *evs_file_source_peek       (EvsFileSource  *self,
                                           gsize          *n_available);
void           evs_file_source_consume    (EvsFileSource  *self,
                                           gsize           n_bytes);
guint64        evs_file_source_tell       (EvsFileSource  *self);
gboolean       evs_file_source_at_eof     (EvsFileSource  *self);
gssize         evs_file_source_pread      (EvsFileSource  *self,
                                           void           *buffer,
                                           gsize           n_bytes,
                                           guint64         offset,
                                           GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EvsFileSource, evs_file_source_free)

G_END_DECLS

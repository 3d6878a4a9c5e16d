/* evs-error.h
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

#define EVS_ERROR (evs_error_quark ())

/**
 * EvsError:
 * @EVS_ERROR_UNKNOWN_FORMAT: the content matches no supported format
 * @EVS_ERROR_UNSUPPORTED: a recognised format or variant that Evscope cannot handle
 * @EVS_ERROR_CORRUPT: the data is malformed (the message names the byte offset)
 * @EVS_ERROR_TRUNCATED: the data ends in the middle of a record (the message names the offset)
 * @EVS_ERROR_INVALID_ARGUMENT: a parameter is out of range or malformed
 * @EVS_ERROR_MISSING_FILTER: an HDF5 filter plugin is not installed
 * @EVS_ERROR_IO: reading or writing failed
 */
typedef enum
{
  EVS_ERROR_UNKNOWN_FORMAT,
  EVS_ERROR_UNSUPPORTED,
  EVS_ERROR_CORRUPT,
  EVS_ERROR_TRUNCATED,
  EVS_ERROR_INVALID_ARGUMENT,
  EVS_ERROR_MISSING_FILTER,
  EVS_ERROR_IO,
} EvsError;

GQuark evs_error_quark (void);

G_END_DECLS

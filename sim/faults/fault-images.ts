// Corrupted code images for the trap and hang faults. A tile's code memory that took a
// hit runs something other than the kernel: these two stand for the outcomes that matter,
// a load past the end of tile memory (the engine traps) and a branch that loops forever
// (the fuel watchdog stops it). The injector runs the image on the tile's own memory for
// one message; the hub's restart reloads the real kernel. The bytes are what wabt makes of
// the WAT below (test/faults-images.test.ts re-assembles and compares).
import { compileKernel, type LoadedKernel } from '../../tile/kernel-module.ts';

export const TRAP_IMAGE_WAT = `(module (import "tile" "memory" (memory 2 2))
  (func (export "rvf_on_message") (result i32) (i32.load (i32.const 0x20000))))`;

export const HANG_IMAGE_WAT = `(module (import "tile" "memory" (memory 2 2))
  (global $fuel (export "rvf_fuel") (mut i32) (i32.const 2147483647))
  (func (export "rvf_on_message") (result i32)
    (loop $spin
      (global.set $fuel (i32.sub (global.get $fuel) (i32.const 1)))
      (if (i32.lt_s (global.get $fuel) (i32.const 0)) (then (unreachable)))
      (br $spin))
    (i32.const 0)))`;

const TRAP_HEX =
  '0061736d010000000105016000017f0211010474696c65066d656d6f727902010202030201000712010e7276665f6f6e5f6d65737361676500000a0b010900418080082802000b';
const HANG_HEX =
  '0061736d010000000105016000017f0211010474696c65066d656d6f72790201020203020100060a017f0141ffffffff070b071d02087276665f6675656c03000e7276665f6f6e5f6d65737361676500000a1b0119000340230041016b240023004100480440000b0c000b41000b';

export const TRAP_IMAGE_BYTES = Uint8Array.from(Buffer.from(TRAP_HEX, 'hex'));
export const HANG_IMAGE_BYTES = Uint8Array.from(Buffer.from(HANG_HEX, 'hex'));

let images: { trap: LoadedKernel; hang: LoadedKernel } | undefined;

export function faultImages(): { trap: LoadedKernel; hang: LoadedKernel } {
  images ??= { trap: compileKernel('fault-trap', TRAP_IMAGE_BYTES, false), hang: compileKernel('fault-hang', HANG_IMAGE_BYTES, false) };
  return images;
}

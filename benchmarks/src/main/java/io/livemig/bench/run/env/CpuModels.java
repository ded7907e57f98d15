package io.livemig.bench.run.env;

import static io.livemig.bench.run.env.Environment.UNKNOWN;

/**
 * Which microarchitecture a CPU's family and model are, from the public family/model lists: the Linux kernel's
 * {@code arch/x86/include/asm/intel-family.h} for Intel family 6, and for AMD the model ranges that
 * {@code arch/x86/kernel/cpu/amd.c} assigns to Zen generations (family 0x17: Zen, Zen+, Zen 2; 0x19: Zen 3, Zen 4;
 * 0x1a: Zen 5), with Zen+ told from Zen by its models 0x08 and 0x18 (Pinnacle Ridge, Picasso). Skylake-SP and
 * Cascade Lake share model 0x55: stepping 5 to 7 is Cascade Lake, 10 and 11 Cooper Lake.
 *
 * <p>Stateless; thread-safe.
 */
final class CpuModels
{
    private CpuModels()
    {
    }

    /**
     * @param family the family (decimal), -1 if unknown.
     * @param model  the model (decimal), -1 if unknown.
     * @return the Zen generation of an AMD family and model, or {@value Environment#UNKNOWN}.
     */
    static String amd(final int family, final int model)
    {
        switch (family)
        {
            case 0x17:
                if (in(model, 0x08, 0x0f) || in(model, 0x18, 0x1f))
                {
                    return "Zen+";
                }
                if (in(model, 0x00, 0x2f) || in(model, 0x50, 0x5f))
                {
                    return "Zen";
                }
                return in(model, 0x30, 0x4f) || in(model, 0x60, 0x7f) || in(model, 0x90, 0x91) ||
                    in(model, 0xa0, 0xaf) ? "Zen 2" : UNKNOWN;
            case 0x19:
                if (in(model, 0x00, 0x0f) || in(model, 0x20, 0x5f))
                {
                    return "Zen 3";
                }
                return in(model, 0x10, 0x1f) || in(model, 0x60, 0xaf) ? "Zen 4" : UNKNOWN;
            case 0x1a:
                return in(model, 0x00, 0x4f) || in(model, 0x60, 0x7f) ? "Zen 5" : UNKNOWN;
            default:
                return UNKNOWN;
        }
    }

    /**
     * @param model    an Intel family-6 model (decimal), -1 if unknown.
     * @param stepping the stepping, -1 if unknown.
     * @return the microarchitecture's name, or {@value Environment#UNKNOWN}.
     */
    static String intel(final int model, final int stepping)
    {
        switch (model)
        {
            case 0x3c: case 0x45: case 0x46: return "Haswell";
            case 0x3f: return "Haswell-EP";
            case 0x3d: case 0x47: return "Broadwell";
            case 0x4f: case 0x56: return "Broadwell-EP";
            case 0x4e: case 0x5e: return "Skylake";
            case 0x55:
                if (stepping >= 10)
                {
                    return "Cooper Lake";
                }
                return stepping >= 5 ? "Cascade Lake" : "Skylake-SP";
            case 0x8e: case 0x9e: return "Kaby Lake / Coffee Lake";
            case 0xa5: case 0xa6: return "Comet Lake";
            case 0x7d: case 0x7e: return "Ice Lake";
            case 0x6a: case 0x6c: return "Ice Lake-SP";
            case 0x8c: case 0x8d: return "Tiger Lake";
            case 0xa7: return "Rocket Lake";
            case 0x97: case 0x9a: return "Alder Lake";
            case 0xb7: case 0xba: case 0xbf: return "Raptor Lake";
            case 0xaa: case 0xac: return "Meteor Lake";
            case 0xbd: return "Lunar Lake";
            case 0xc5: case 0xc6: return "Arrow Lake";
            case 0x8f: return "Sapphire Rapids";
            case 0xcf: return "Emerald Rapids";
            case 0xad: case 0xae: return "Granite Rapids";
            case 0xaf: return "Sierra Forest";
            default: return UNKNOWN;
        }
    }

    private static boolean in(final int model, final int low, final int high)
    {
        return model >= low && model <= high;
    }
}

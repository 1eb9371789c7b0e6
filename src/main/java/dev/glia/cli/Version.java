package dev.glia.cli;

import picocli.CommandLine.IVersionProvider;

class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Version.class.getPackage().getImplementationVersion();
        return new String[] {"glia " + (v == null ? "dev" : v)};
    }
}

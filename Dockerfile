# syntax=docker/dockerfile:1
# Glia: one image, roles by command. The entrypoint is `glia`, so the arguments are a command:
#   docker build -t glia:0.1.0 .
#   docker run --rm glia:0.1.0 simulate --scenario low-load --seeds 2
#   docker run --rm -p 8000:8000 glia:0.1.0 engine --gpu a10 --time-scale 10
# The Helm chart (helm/glia) runs this image as `operator`, `router` and `engine`.

# ---- build: the Maven wrapper builds target/quarkus-app, as ./glia does ---------------------
FROM eclipse-temurin:17-jdk-jammy AS build
# the wrapper downloads Maven with wget or curl
RUN command -v wget >/dev/null || command -v curl >/dev/null \
 || (apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*)
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn .mvn
COPY src src
COPY simulator simulator
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -q -DskipTests package

# The runtime Java: every module of the JDK, without debug symbols, headers or man pages. Not a
# plain JRE, because Glia compiles policies at run time (javax.tools in a child JVM: the router's
# source policies, glia optimize's candidates), which needs jdk.compiler.
RUN jlink --add-modules ALL-MODULE-PATH --strip-debug --no-man-pages --no-header-files \
          --compress=2 --output /opt/java

# ---- runtime -----------------------------------------------------------------------------------
FROM debian:bookworm-slim
# fontconfig and a font: the charts in research reports (XChart, headless AWT) draw text
RUN apt-get update \
 && apt-get install -y --no-install-recommends fontconfig fonts-dejavu-core ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 glia \
 && useradd --system --uid 10001 --gid glia --home-dir /home/glia --create-home --shell /usr/sbin/nologin glia
ENV JAVA_HOME=/opt/java \
    PATH=/opt/java/bin:$PATH \
    LANG=C.UTF-8 \
    JDK_JAVA_OPTIONS="-XX:MaxRAMPercentage=75"
COPY --from=build /opt/java /opt/java
# Quarkus' fast-jar layout: quarkus-run.jar and its lib/, app/ and quarkus/ folders, together
COPY --from=build /src/target/quarkus-app /app
USER 10001:10001
# glia optimize and glia simulate write their outputs under the working directory
WORKDIR /home/glia
EXPOSE 8000 8080 8081
ENTRYPOINT ["java", "-jar", "/app/quarkus-run.jar"]
CMD ["--help"]

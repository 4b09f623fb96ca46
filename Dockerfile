# One image for every Rigshift process — web, gateway, scheduler, the simulated agent and the
# one-shot migrate/seed job; docker-compose.yml picks the command. The apps run their
# TypeScript through tsx as in development (packages export source), so the image keeps the
# dev dependencies.
FROM node:20-bookworm-slim

WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1

# The whole tree before `npm ci`: the lockfile names every workspace folder, and copying
# package.json files one by one would break each time a package is added.
COPY . .
RUN npm ci --no-audit --no-fund \
 && npm run db:generate \
 && npm run build -w @rigshift/web

EXPOSE 3000 3100
CMD ["node", "--import", "tsx", "apps/gateway/src/main.ts"]

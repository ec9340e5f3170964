# Shortcuts; dev.sh does the work (and the set-up) so it also runs where make is absent.
.PHONY: run test lint bench package
run:
	bash dev.sh run
test:
	bash dev.sh test
lint:
	bash dev.sh lint
bench:
	bash dev.sh bench
package:
	bash dev.sh package

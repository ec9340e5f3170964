# Shortcuts; dev.sh does the work (and the set-up) so it also runs where make is absent.
.PHONY: run test lint bench stress shots package
run:
	bash dev.sh run
test:
	bash dev.sh test
lint:
	bash dev.sh lint
bench:
	bash dev.sh bench
stress:
	bash dev.sh stress
shots:
	bash dev.sh shots
package:
	bash dev.sh package
